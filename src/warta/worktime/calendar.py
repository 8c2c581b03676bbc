"""Working time on a business calendar in Asia/Jakarta (WIB). Pure logic: no database access.

A :class:`WorkCalendar` answers "when is this due?" (:meth:`WorkCalendar.add`) and "how much
working time lies between these two instants?" (:meth:`WorkCalendar.between`). It is built from

* the regular week: working hours with an optional break for each weekday (``None`` = day off);
* special periods (e.g. Ramadan) that replace the weekly hours for an inclusive date range;
* the national holidays and cuti bersama from the ``holidays`` package;
* local days off added by the institution, and working days that override a national holiday
  or a weekend.

How one date is resolved, first rule that applies wins:

1. a local day off → no working time;
2. a working-day override → the hours of that weekday in the week pattern in effect (regular or
   special period); when that weekday has no hours (a weekend), the hours of the first working
   weekday of the pattern (normally Monday);
3. a national holiday or cuti bersama → no working time;
4. otherwise the hours of that weekday in the week pattern in effect.

Boundary convention: working intervals are half-open, ``[start, end)``, for
:meth:`~WorkCalendar.is_working_time`. A positive duration added with
:meth:`~WorkCalendar.add` ends in ``(interval start, interval end]`` of some working interval:
ending exactly at 12:00 or 16:00 is allowed (it is the end of working time), ending inside a
break, a weekend or a holiday is not. Adding a zero duration returns the start unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import holidays as holidays_lib

from warta.worktime.zone import JAKARTA

__all__ = [
    "DEFAULT_WEEK",
    "MAX_IDLE_DAYS",
    "RAMADAN_WEEK",
    "CalendarConfigError",
    "CalendarError",
    "DayHours",
    "DayInfo",
    "NationalHolidays",
    "NoWorkingTimeError",
    "SpecialPeriod",
    "Week",
    "WorkCalendar",
]

_UTC = dt.UTC
_ONE_DAY = dt.timedelta(days=1)
_ZERO = dt.timedelta(0)

#: How many consecutive calendar days without any working time ``add`` accepts before it gives
#: up (about ten years). Only a misconfigured calendar (no working weekday, every day off) can
#: get there.
MAX_IDLE_DAYS = 3660

#: Jakarta's UTC offset has not changed since this date (UTC+7 from 1 January 1964): from then
#: on a day's working time is its wall-clock hours, whatever the date.
_FIXED_OFFSET_SINCE = dt.date(1964, 1, 1)
#: Below this many whole days, :meth:`WorkCalendar.between` simply counts them one by one.
_SHORT_SPAN_DAYS = 7


class CalendarError(ValueError):
    """Base class of the calendar's errors."""


class CalendarConfigError(CalendarError):
    """The calendar's configuration is invalid (e.g. a break outside working hours)."""


class NoWorkingTimeError(CalendarError):
    """No working time was found where some was needed (a misconfigured calendar)."""


def _time(value: dt.time | str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(value)


@dataclass(frozen=True, slots=True)
class DayHours:
    """Working hours of one day: ``start``–``end`` minus an optional break.

    Invariant: ``start < break_start < break_end < end``, or no break at all. Times are local
    (WIB) wall-clock times without a time zone. Strings such as ``"07:30"`` are accepted.
    """

    start: dt.time
    end: dt.time
    break_start: dt.time | None = None
    break_end: dt.time | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end", "break_start", "break_end"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                value = _time(value)
            except (TypeError, ValueError) as exc:
                raise CalendarConfigError(f"{name}: not a time: {value!r}") from exc
            if value.tzinfo is not None:
                raise CalendarConfigError(f"{name}: use a local time without a time zone")
            object.__setattr__(self, name, value)
        if not self.start < self.end:
            raise CalendarConfigError(f"start {self.start} must be before end {self.end}")
        if (self.break_start is None) != (self.break_end is None):
            raise CalendarConfigError("give both the start and the end of the break, or neither")
        if self.break_start is not None and not (
            self.start < self.break_start < self.break_end < self.end
        ):
            raise CalendarConfigError(
                "the break must lie inside working hours: "
                f"start {self.start} < break {self.break_start}–{self.break_end} < end {self.end}"
            )

    @property
    def spans(self) -> tuple[tuple[dt.time, dt.time], ...]:
        """The working spans of the day, in order: one, or two around the break."""
        if self.break_start is None:
            return ((self.start, self.end),)
        return ((self.start, self.break_start), (self.break_end, self.end))

    @property
    def working_time(self) -> dt.timedelta:
        """Total working time of the day (the break excluded)."""
        day = dt.date(2000, 1, 3)
        return sum(
            (dt.datetime.combine(day, b) - dt.datetime.combine(day, a) for a, b in self.spans),
            _ZERO,
        )

    def __str__(self) -> str:
        text = f"{self.start:%H:%M}–{self.end:%H:%M}"
        if self.break_start is not None:
            text += f" (break {self.break_start:%H:%M}–{self.break_end:%H:%M})"
        return text


#: Seven entries, Monday first; ``None`` is a day off.
Week = tuple[DayHours | None, ...]


def _week(value: Iterable[DayHours | None]) -> Week:
    week = tuple(value)
    if len(week) != 7:
        raise CalendarConfigError(f"a week has 7 days (Monday first), got {len(week)}")
    for entry in week:
        if entry is not None and not isinstance(entry, DayHours):
            raise CalendarConfigError(f"not DayHours or None: {entry!r}")
    return week


_MON_THU = DayHours(dt.time(7, 30), dt.time(16, 0), dt.time(12, 0), dt.time(13, 0))
_FRI = DayHours(dt.time(7, 30), dt.time(16, 30), dt.time(11, 30), dt.time(13, 0))

#: Perpres 21/2023: 37.5 h a week from 07:30, 60-min break (90 min on Friday), Sat–Sun off.
DEFAULT_WEEK: Week = (_MON_THU, _MON_THU, _MON_THU, _MON_THU, _FRI, None, None)

_RAMADAN_MON_THU = DayHours(dt.time(8, 0), dt.time(15, 0), dt.time(12, 0), dt.time(12, 30))
_RAMADAN_FRI = DayHours(dt.time(8, 0), dt.time(15, 30), dt.time(11, 30), dt.time(12, 30))

#: Ramadan preset: 32.5 h a week from 08:00 (Mon–Thu 08:00–15:00, break 12:00–12:30; Fri
#: 08:00–15:30, break 11:30–12:30). Not a default: the admin sets the dates each year.
RAMADAN_WEEK: Week = (
    _RAMADAN_MON_THU,
    _RAMADAN_MON_THU,
    _RAMADAN_MON_THU,
    _RAMADAN_MON_THU,
    _RAMADAN_FRI,
    None,
    None,
)


@dataclass(frozen=True, slots=True)
class SpecialPeriod:
    """Working hours that replace the regular week from ``start`` to ``end`` (both inclusive)."""

    name: str
    start: dt.date
    end: dt.date
    week: Week

    def __post_init__(self) -> None:
        if isinstance(self.start, dt.datetime) or isinstance(self.end, dt.datetime):
            raise CalendarConfigError("a special period is given by dates, not datetimes")
        if self.end < self.start:
            raise CalendarConfigError(f"{self.name}: end {self.end} is before start {self.start}")
        object.__setattr__(self, "week", _week(self.week))

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @classmethod
    def ramadan(cls, start: dt.date, end: dt.date, name: str = "") -> SpecialPeriod:
        """A Ramadan period with the preset hours (:data:`RAMADAN_WEEK`)."""
        return cls(name=name or f"Ramadan {start.year}", start=start, end=end, week=RAMADAN_WEEK)


@functools.lru_cache(maxsize=512)
def _holidays_of_year(
    country: str, categories: tuple[str, ...], language: str | None, year: int
) -> Mapping[dt.date, str]:
    if not 1 <= year <= 9999:
        return MappingProxyType({})
    table = holidays_lib.country_holidays(
        country, categories=categories, language=language, years=year
    )
    return MappingProxyType(dict(table.items()))


@dataclass(frozen=True, slots=True)
class NationalHolidays:
    """The national holiday list from the ``holidays`` package, computed lazily per year.

    The default is Indonesia's public holidays plus cuti bersama (category ``government``),
    named in Indonesian.
    """

    country: str = "ID"
    categories: tuple[str, ...] = ("public", "government")
    language: str | None = "id"

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))

    def of_year(self, year: int) -> Mapping[dt.date, str]:
        return _holidays_of_year(self.country, self.categories, self.language, year)

    def name(self, day: dt.date) -> str | None:
        """The holiday's name, or ``None`` if ``day`` is not a holiday."""
        return self.of_year(day.year).get(day)


@dataclass(frozen=True, slots=True)
class DayInfo:
    """How one date was resolved, for people (CLI, admin) rather than for arithmetic."""

    date: dt.date
    kind: Literal["working", "weekly_off", "holiday", "day_off", "working_override"]
    hours: DayHours | None
    #: Holiday name, day-off or override description, or the special period's name.
    note: str = ""
    special_period: str = ""

    @property
    def is_working(self) -> bool:
        return self.hours is not None


def _date_map(value: Mapping[dt.date, str] | Iterable[dt.date]) -> Mapping[dt.date, str]:
    items = value.items() if isinstance(value, Mapping) else ((day, "") for day in value)
    result: dict[dt.date, str] = {}
    for day, note in items:
        if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
            raise CalendarConfigError(f"not a date: {day!r}")
        result[day] = str(note or "")
    return MappingProxyType(result)


@dataclass(frozen=True)
class WorkCalendar:
    """An immutable working calendar; see the module docstring for the rules.

    ``days_off`` and ``working_days`` accept a mapping ``date -> description`` or an iterable
    of dates. ``holidays=None`` ignores national holidays altogether.
    """

    week: Week = DEFAULT_WEEK
    special_periods: tuple[SpecialPeriod, ...] = ()
    holidays: NationalHolidays | None = field(default_factory=NationalHolidays)
    days_off: Mapping[dt.date, str] = field(default_factory=dict)
    working_days: Mapping[dt.date, str] = field(default_factory=dict)
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    _CACHE_LIMIT = 50_000

    def __post_init__(self) -> None:
        object.__setattr__(self, "week", _week(self.week))
        periods = tuple(self.special_periods)
        for period in periods:
            if not isinstance(period, SpecialPeriod):
                raise CalendarConfigError(f"not a SpecialPeriod: {period!r}")
        object.__setattr__(self, "special_periods", periods)
        object.__setattr__(self, "days_off", _date_map(self.days_off))
        object.__setattr__(self, "working_days", _date_map(self.working_days))

    def __hash__(self) -> int:
        return hash(
            (
                self.week,
                self.special_periods,
                self.holidays,
                frozenset(self.days_off.items()),
                frozenset(self.working_days.items()),
            )
        )

    @classmethod
    def default(cls) -> WorkCalendar:
        """Perpres 21/2023 hours with Indonesia's national holidays and cuti bersama."""
        return cls()

    # --- one date ---------------------------------------------------------------------------

    def describe(self, day: dt.date) -> DayInfo:
        """How ``day`` is resolved (working hours and why)."""
        day = _local_date(day)
        period = next((p for p in self.special_periods if day in p), None)
        week = period.week if period else self.week
        period_name = period.name if period else ""
        if day in self.days_off:
            return DayInfo(day, "day_off", None, self.days_off[day], period_name)
        if day in self.working_days:
            hours = week[day.weekday()] or next((h for h in week if h is not None), None)
            if hours is None:
                hours = next((h for h in self.week if h is not None), None)
            kind = "working_override" if hours is not None else "weekly_off"
            return DayInfo(day, kind, hours, self.working_days[day], period_name)
        holiday = self.holidays.name(day) if self.holidays is not None else None
        if holiday is not None:
            return DayInfo(day, "holiday", None, holiday, period_name)
        hours = week[day.weekday()]
        kind = "working" if hours is not None else "weekly_off"
        return DayInfo(day, kind, hours, period_name, period_name)

    def day_hours(self, day: dt.date) -> DayHours | None:
        """The working hours of ``day``, or ``None`` if it has no working time."""
        return self.describe(day).hours

    def is_working_day(self, day: dt.date) -> bool:
        """Whether ``day`` (a date, or an aware datetime taken in WIB) has any working time."""
        return bool(self._utc_intervals(_local_date(day)))

    def working_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working intervals ``[start, end)`` of ``day`` as aware WIB datetimes."""
        return [
            (a.astimezone(JAKARTA), b.astimezone(JAKARTA))
            for a, b in self._utc_intervals(_local_date(day))
        ]

    def is_working_time(self, instant: dt.datetime) -> bool:
        """Whether ``instant`` lies inside a working interval (start included, end excluded)."""
        moment = _aware(instant).astimezone(_UTC)
        day = moment.astimezone(JAKARTA).date()
        return any(a <= moment < b for a, b in self._utc_intervals(day))

    def _utc_intervals(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        hours = self.describe(day).hours
        intervals: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
        if hours is not None:
            intervals = tuple(
                (
                    dt.datetime.combine(day, a, tzinfo=JAKARTA).astimezone(_UTC),
                    dt.datetime.combine(day, b, tzinfo=JAKARTA).astimezone(_UTC),
                )
                for a, b in hours.spans
            )
        if len(self._cache) >= self._CACHE_LIMIT:
            self._cache.clear()
        self._cache[day] = intervals
        return intervals

    # --- arithmetic -------------------------------------------------------------------------

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant at which ``duration`` of working time, counted from ``start``, is used up.

        ``start`` must be aware; the result is aware, in WIB. A positive duration ends inside
        ``(start, end]`` of a working interval; a zero duration returns ``start`` itself.
        Raises :class:`NoWorkingTimeError` if the calendar has no working time for
        :data:`MAX_IDLE_DAYS` days in a row.
        """
        begin = _aware(start).astimezone(_UTC)
        if not isinstance(duration, dt.timedelta):
            raise TypeError(f"duration must be a timedelta, not {type(duration).__name__}")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative: {duration}")
        if duration == _ZERO:
            return begin.astimezone(JAKARTA)
        remaining = duration
        day = begin.astimezone(JAKARTA).date()
        idle_days = 0
        while True:
            worked = False
            for a, b in self._utc_intervals(day):
                if b <= begin:
                    continue
                worked = True
                a = max(a, begin)
                available = b - a
                if remaining <= available:
                    return (a + remaining).astimezone(JAKARTA)
                remaining -= available
            idle_days = 0 if worked else idle_days + 1
            if idle_days > MAX_IDLE_DAYS:
                raise NoWorkingTimeError(
                    f"no working time in {MAX_IDLE_DAYS} consecutive days (up to {day}): check the "
                    "working calendar (weekday hours, special periods, days off)"
                )
            try:
                day += _ONE_DAY
            except OverflowError:
                raise NoWorkingTimeError(f"no working time before {dt.date.max}") from None

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from ``start`` to ``end`` (both aware); zero if ``end <= start``.

        The first and the last day are counted interval by interval; the whole days between
        them by weekday arithmetic (:meth:`_whole_days`), so a step open for years costs about
        as much as one open for a week: the time grows with the number of special periods and
        exception days (holidays, days off, working-day overrides) in between, not with the
        number of days.
        """
        a = _aware(start).astimezone(_UTC)
        b = _aware(end).astimezone(_UTC)
        if b <= a:
            return _ZERO
        first = a.astimezone(JAKARTA).date()
        last = b.astimezone(JAKARTA).date()
        total = self._overlap(first, a, b)
        if last == first:
            return total
        total += self._overlap(last, a, b)
        if (last - first).days > 1:
            total += self._whole_days(first + _ONE_DAY, last - _ONE_DAY)
        return total

    def _overlap(self, day: dt.date, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        total = _ZERO
        for x, y in self._utc_intervals(day):
            overlap = min(y, b) - max(x, a)
            if overlap > _ZERO:
                total += overlap
        return total

    def _day_total(self, day: dt.date) -> dt.timedelta:
        return sum((y - x for x, y in self._utc_intervals(day)), _ZERO)

    def _whole_days(self, first: dt.date, last: dt.date) -> dt.timedelta:
        """Working time of the whole days ``first``..``last`` (inclusive).

        Each stretch under one week pattern (the regular week, or a special period's) is
        counted as whole weeks plus the leftover weekdays, then corrected for every exception
        day in it (a local day off, a working-day override, a national holiday) by the
        difference between its real hours and the pattern's. Days before
        :data:`_FIXED_OFFSET_SINCE` (when Jakarta's UTC offset still changed) are counted day
        by day.
        """
        total = _ZERO
        if first < _FIXED_OFFSET_SINCE:
            upto = min(last, _FIXED_OFFSET_SINCE - _ONE_DAY)
            day = first
            while day <= upto:
                total += self._day_total(day)
                day += _ONE_DAY
            if upto == last:
                return total
            first = _FIXED_OFFSET_SINCE
        if (last - first).days < _SHORT_SPAN_DAYS:
            day = first
            while True:
                total += self._day_total(day)
                if day == last:
                    return total
                day += _ONE_DAY
        exceptions = self._exception_days(first, last)
        for seg_first, seg_last, week in self._stretches(first, last):
            totals = [hours.working_time if hours is not None else _ZERO for hours in week]
            days = (seg_last - seg_first).days + 1
            weeks, rest = divmod(days, 7)
            total += weeks * sum(totals, _ZERO)
            start_weekday = seg_first.weekday()
            for offset in range(rest):
                total += totals[(start_weekday + offset) % 7]
            for day in exceptions:
                if seg_first <= day <= seg_last:
                    total += self._day_total(day) - totals[day.weekday()]
        return total

    def _stretches(self, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date, Week]]:
        """``first``..``last`` cut into stretches that each follow one week pattern: the first
        special period (in the calendar's order) that holds a day wins, as in :meth:`describe`."""
        cuts = {first, last + _ONE_DAY}
        for period in self.special_periods:
            if first < period.start <= last:
                cuts.add(period.start)
            if first <= period.end < last:
                cuts.add(period.end + _ONE_DAY)
        edges = sorted(cuts)
        stretches = []
        for begin, after in itertools.pairwise(edges):
            period = next((p for p in self.special_periods if begin in p), None)
            stretches.append((begin, after - _ONE_DAY, period.week if period else self.week))
        return stretches

    def _exception_days(self, first: dt.date, last: dt.date) -> set[dt.date]:
        """Days in ``first``..``last`` whose hours need not follow their week pattern."""
        found = {day for day in self.days_off if first <= day <= last}
        found.update(day for day in self.working_days if first <= day <= last)
        if self.holidays is not None:
            for year in range(first.year, last.year + 1):
                found.update(day for day in self.holidays.of_year(year) if first <= day <= last)
        return found


def _aware(instant: dt.datetime) -> dt.datetime:
    if not isinstance(instant, dt.datetime):
        raise TypeError(f"expected a datetime, not {type(instant).__name__}")
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()}: give a time zone (WIB is +07:00)")
    return instant


def _local_date(day: dt.date) -> dt.date:
    if isinstance(day, dt.datetime):
        return _aware(day).astimezone(JAKARTA).date()
    if not isinstance(day, dt.date):
        raise TypeError(f"expected a date, not {type(day).__name__}")
    return day

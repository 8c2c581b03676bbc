"""``WorkCalendar.between`` counts whole days by weekday arithmetic; it must give exactly what
walking day by day gives (the reference below is the algorithm it replaced), across years,
national holidays, special periods, local days off and working-day overrides."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warta.worktime.calendar import (
    DEFAULT_WEEK,
    RAMADAN_WEEK,
    DayHours,
    NationalHolidays,
    SpecialPeriod,
    WorkCalendar,
)
from warta.worktime.zone import JAKARTA

UTC = dt.UTC
ZERO = dt.timedelta(0)


def day_by_day(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The former ``between``: every day from ``start``'s to ``end``'s, interval by interval."""
    a, b = start.astimezone(UTC), end.astimezone(UTC)
    if b <= a:
        return ZERO
    total = ZERO
    day, last = a.astimezone(JAKARTA).date(), b.astimezone(JAKARTA).date()
    while day <= last:
        for x, y in calendar._utc_intervals(day):
            overlap = min(y, b) - max(x, a)
            if overlap > ZERO:
                total += overlap
        if day == last:
            break
        day += dt.timedelta(days=1)
    return total


FIRST, LAST = dt.date(2018, 1, 1), dt.date(2040, 12, 31)
dates = st.dates(min_value=FIRST, max_value=LAST)
instants = st.one_of(
    st.datetimes(
        min_value=dt.datetime(2018, 1, 1),
        max_value=dt.datetime(2040, 12, 31),
        timezones=st.sampled_from([JAKARTA, UTC]),
    ),
    # On working-interval edges (07:30, 12:00, 13:00, 16:00, ...) now and then.
    st.builds(
        lambda day, minute: (
            dt.datetime.combine(day, dt.time(), tzinfo=JAKARTA) + dt.timedelta(minutes=minute)
        ),
        dates,
        st.sampled_from([0, 450, 480, 690, 720, 750, 780, 900, 930, 960, 990, 1439]),
    ),
)
hours = st.one_of(
    st.none(),
    st.sampled_from(
        [DEFAULT_WEEK[0], DEFAULT_WEEK[4], RAMADAN_WEEK[0], DayHours("08:00", "12:00")]
    ),
)
weeks = st.one_of(
    st.sampled_from([DEFAULT_WEEK, RAMADAN_WEEK]),
    st.lists(hours, min_size=7, max_size=7).map(tuple),
)


@st.composite
def periods(draw) -> SpecialPeriod:
    start = draw(dates)
    length = draw(st.integers(0, 400))
    end = min(start + dt.timedelta(days=length), LAST)
    return SpecialPeriod(name=f"p{start}", start=start, end=end, week=draw(weeks))


calendars = st.builds(
    WorkCalendar,
    week=weeks,
    special_periods=st.lists(periods(), max_size=4).map(tuple),
    holidays=st.sampled_from([NationalHolidays(), None]),
    days_off=st.lists(dates, max_size=30),
    working_days=st.lists(dates, max_size=30),
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(calendar=calendars, start=instants, end=instants)
def test_between_equals_the_day_by_day_walk(calendar, start, end):
    assert calendar.between(start, end) == day_by_day(calendar, start, end)


@SETTINGS
@given(start=instants, days=st.integers(0, 3 * 366), minutes=st.integers(0, 24 * 60))
def test_default_calendar_over_long_spans(start, days, minutes):
    calendar = WorkCalendar.default()
    end = start + dt.timedelta(days=days, minutes=minutes)
    assert calendar.between(start, end) == day_by_day(calendar, start, end)


def test_ten_years_with_ramadan_and_local_days():
    ramadans = tuple(
        SpecialPeriod.ramadan(dt.date(year, 3, 1), dt.date(year, 3, 30))
        for year in range(2026, 2036)
    )
    calendar = WorkCalendar(
        special_periods=ramadans,
        days_off={dt.date(2030, 6, 3): "Hari jadi"},
        working_days={dt.date(2031, 12, 24): "Cuti bersama dibatalkan", dt.date(2032, 5, 8): ""},
    )
    start = dt.datetime(2026, 1, 5, 10, 17, tzinfo=JAKARTA)
    end = dt.datetime(2035, 11, 29, 9, 3, tzinfo=JAKARTA)
    assert calendar.between(start, end) == day_by_day(calendar, start, end)
    assert calendar.between(start, end) > dt.timedelta(hours=15_000)


def test_across_the_1964_change_of_jakarta_offset():
    calendar = WorkCalendar(holidays=None)
    start = dt.datetime(1960, 2, 1, 9, 0, tzinfo=JAKARTA)
    end = dt.datetime(1966, 2, 1, 9, 0, tzinfo=JAKARTA)
    assert calendar.between(start, end) == day_by_day(calendar, start, end)

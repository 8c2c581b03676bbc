"""The working-time calendar: worked examples, boundaries, properties, and its DB configuration."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warta.sop.durations import parse_duration
from warta.worktime.calendar import (
    DEFAULT_WEEK,
    RAMADAN_WEEK,
    CalendarConfigError,
    DayHours,
    NoWorkingTimeError,
    SpecialPeriod,
    WorkCalendar,
)
from warta.worktime.zone import JAKARTA

M = dt.timedelta(minutes=1)
H = dt.timedelta(hours=1)
UTC = dt.UTC


def wib(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=JAKARTA)


DEFAULT = WorkCalendar.default()
RAMADAN_2026 = SpecialPeriod.ramadan(dt.date(2026, 2, 19), dt.date(2026, 3, 19))
WITH_RAMADAN = WorkCalendar(special_periods=(RAMADAN_2026,))
WITH_OVERRIDES = WorkCalendar(
    special_periods=(RAMADAN_2026,),
    days_off={
        dt.date(2026, 11, 30): "Hari jadi kabupaten",
        dt.date(2026, 3, 2): "Libur lokal saat Ramadan",
        dt.date(2026, 7, 1): "Libur lokal",
    },
    working_days={
        dt.date(2026, 12, 24): "Cuti bersama dibatalkan",
        dt.date(2026, 11, 28): "Sabtu kerja pengganti",
        dt.date(2026, 3, 7): "Sabtu kerja saat Ramadan",
    },
)
SATURDAY = DayHours("08:00", "12:00")
WEEKEND_UNIT = WorkCalendar(week=(*DEFAULT_WEEK[:5], SATURDAY, None))


# --- worked examples (DESIGN.md, "Time") ------------------------------------------------------


def test_friday_afternoon_rolls_over_the_weekend():
    assert DEFAULT.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 11, 30, 7, 50)


def test_christmas_and_cuti_bersama_are_skipped():
    # 24 Dec 2026 is cuti bersama, 25 Dec Christmas, then the weekend.
    assert DEFAULT.add(wib(2026, 12, 23, 15, 50), 30 * M) == wib(2026, 12, 28, 7, 50)


def test_the_lunch_break_is_skipped():
    assert DEFAULT.add(wib(2026, 11, 30, 11, 0), 2 * H) == wib(2026, 11, 30, 14, 0)


def test_the_examples_backwards_with_between():
    assert DEFAULT.between(wib(2026, 11, 27, 16, 20), wib(2026, 11, 30, 7, 50)) == 30 * M
    assert DEFAULT.between(wib(2026, 12, 23, 15, 50), wib(2026, 12, 28, 7, 50)) == 30 * M
    assert DEFAULT.between(wib(2026, 11, 30, 11, 0), wib(2026, 11, 30, 14, 0)) == 2 * H


def test_result_is_in_wib_whatever_the_input_zone():
    start_utc = dt.datetime(2026, 11, 27, 9, 20, tzinfo=UTC)  # 16:20 WIB
    due = DEFAULT.add(start_utc, 30 * M)
    assert due == wib(2026, 11, 30, 7, 50)
    assert str(due.tzinfo) == "Asia/Jakarta"
    assert due.isoformat() == "2026-11-30T07:50:00+07:00"
    wit = dt.timezone(dt.timedelta(hours=9))  # 18:20 WIT is 16:20 WIB
    assert DEFAULT.add(dt.datetime(2026, 11, 27, 18, 20, tzinfo=wit), 30 * M) == due


# --- the rules ----------------------------------------------------------------------------------


def test_default_week_is_perpres_21_2023():
    monday = wib(2026, 11, 30)
    assert DEFAULT.between(monday, monday + dt.timedelta(days=7)) == dt.timedelta(hours=37.5)
    assert [h.working_time if h else None for h in DEFAULT_WEEK] == [
        *[dt.timedelta(hours=7.5)] * 5,
        None,
        None,
    ]
    assert DEFAULT.working_intervals(dt.date(2026, 11, 30)) == [
        (wib(2026, 11, 30, 7, 30), wib(2026, 11, 30, 12, 0)),
        (wib(2026, 11, 30, 13, 0), wib(2026, 11, 30, 16, 0)),
    ]
    assert DEFAULT.working_intervals(dt.date(2026, 12, 4)) == [
        (wib(2026, 12, 4, 7, 30), wib(2026, 12, 4, 11, 30)),
        (wib(2026, 12, 4, 13, 0), wib(2026, 12, 4, 16, 30)),
    ]


def test_one_day_of_the_sop_is_one_working_day():
    one_day = parse_duration("1d")
    assert DEFAULT.add(wib(2026, 11, 30, 7, 30), one_day) == wib(2026, 11, 30, 16, 0)
    assert DEFAULT.add(wib(2026, 12, 4, 7, 30), one_day) == wib(2026, 12, 4, 16, 30)
    assert DEFAULT.add(wib(2026, 11, 30, 7, 30), parse_duration("5d")) == wib(2026, 12, 4, 16, 30)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # ending exactly at the end of a working interval is allowed
        (wib(2026, 11, 30, 11, 30), 30 * M, wib(2026, 11, 30, 12, 0)),
        (wib(2026, 11, 30, 15, 30), 30 * M, wib(2026, 11, 30, 16, 0)),
        (wib(2026, 12, 4, 11, 0), 30 * M, wib(2026, 12, 4, 11, 30)),
        (wib(2026, 12, 4, 16, 0), 30 * M, wib(2026, 12, 4, 16, 30)),
        # starting at the end of an interval continues with the next one
        (wib(2026, 11, 30, 12, 0), 30 * M, wib(2026, 11, 30, 13, 30)),
        (wib(2026, 11, 30, 16, 0), 30 * M, wib(2026, 12, 1, 8, 0)),
        # starting in a break, before work, or on a weekend
        (wib(2026, 11, 30, 12, 30), 30 * M, wib(2026, 11, 30, 13, 30)),
        (wib(2026, 11, 30, 6, 0), 30 * M, wib(2026, 11, 30, 8, 0)),
        (wib(2026, 11, 28, 10, 0), 30 * M, wib(2026, 11, 30, 8, 0)),
        (wib(2026, 12, 4, 11, 0), H, wib(2026, 12, 4, 13, 30)),
        # seconds are kept
        (wib(2026, 11, 30, 11, 59, 30), M, wib(2026, 11, 30, 13, 0, 30)),
    ],
)
def test_boundaries(start, duration, due):
    assert DEFAULT.add(start, duration) == due


def test_zero_duration_returns_the_start_even_outside_working_time():
    sunday = wib(2026, 11, 29, 10, 0)
    assert DEFAULT.add(sunday, dt.timedelta(0)) == sunday
    assert DEFAULT.add(sunday, dt.timedelta(microseconds=1)) == wib(2026, 11, 30, 7, 30, 0, 1)


def test_is_working_time_is_half_open():
    assert DEFAULT.is_working_time(wib(2026, 11, 30, 7, 30))
    assert not DEFAULT.is_working_time(wib(2026, 11, 30, 7, 29, 59))
    assert DEFAULT.is_working_time(wib(2026, 11, 30, 11, 59, 59))
    assert not DEFAULT.is_working_time(wib(2026, 11, 30, 12, 0))
    assert DEFAULT.is_working_time(wib(2026, 11, 30, 13, 0))
    assert not DEFAULT.is_working_time(wib(2026, 11, 30, 16, 0))
    assert not DEFAULT.is_working_time(wib(2026, 12, 24, 9, 0))  # cuti bersama
    assert not DEFAULT.is_working_time(wib(2026, 11, 28, 9, 0))  # Saturday


def test_working_days():
    assert DEFAULT.is_working_day(dt.date(2026, 11, 30))
    assert not DEFAULT.is_working_day(dt.date(2026, 11, 28))
    assert not DEFAULT.is_working_day(dt.date(2026, 8, 17))  # Hari Kemerdekaan
    assert not DEFAULT.is_working_day(dt.date(2026, 3, 23))  # cuti bersama Idul Fitri
    # an aware datetime counts by its WIB date: 2026-11-29 20:00 UTC is Monday 03:00 WIB
    assert DEFAULT.is_working_day(dt.datetime(2026, 11, 29, 20, 0, tzinfo=UTC))
    assert DEFAULT.working_intervals(dt.date(2026, 11, 28)) == []


def test_holidays_match_the_holidays_package():
    national = holidays.country_holidays(
        "ID", categories=("public", "government"), language="id", years=2026
    )
    for day in (dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)):
        expected = day.weekday() < 5 and day not in national
        assert DEFAULT.is_working_day(day) is expected, day
    assert DEFAULT.describe(dt.date(2026, 12, 24)).note == "Cuti Bersama Hari Raya Natal"


def test_without_national_holidays():
    plain = WorkCalendar(holidays=None)
    assert plain.is_working_day(dt.date(2026, 12, 25))
    assert plain.add(wib(2026, 12, 23, 15, 50), 30 * M) == wib(2026, 12, 24, 7, 50)


def test_ramadan_preset_hours():
    assert [h.working_time if h else None for h in RAMADAN_WEEK] == [
        *[dt.timedelta(hours=6.5)] * 5,
        None,
        None,
    ]
    monday = wib(2026, 3, 2)
    assert WITH_RAMADAN.between(monday, monday + dt.timedelta(days=7)) == dt.timedelta(hours=32.5)
    # Mon 2 Mar 2026: 11:00–12:00, break 12:00–12:30, 12:30–13:30
    assert WITH_RAMADAN.add(wib(2026, 3, 2, 11, 0), 2 * H) == wib(2026, 3, 2, 13, 30)
    # Friday: work ends 15:30
    assert WITH_RAMADAN.add(wib(2026, 3, 6, 15, 0), H) == wib(2026, 3, 9, 8, 30)
    assert WITH_RAMADAN.describe(dt.date(2026, 3, 2)).special_period == "Ramadan 2026"
    # the day after the period has regular hours again
    assert WITH_RAMADAN.day_hours(dt.date(2026, 3, 25)) == DEFAULT_WEEK[2]
    assert WITH_RAMADAN.day_hours(dt.date(2026, 2, 18)) == DEFAULT_WEEK[2]


def test_local_day_off():
    cal = WorkCalendar(days_off={dt.date(2026, 11, 30): "Hari jadi kabupaten"})
    assert cal.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 12, 1, 7, 50)
    info = cal.describe(dt.date(2026, 11, 30))
    assert (info.kind, info.note, info.is_working) == ("day_off", "Hari jadi kabupaten", False)


def test_working_day_override_on_a_national_holiday():
    cal = WorkCalendar(working_days=[dt.date(2026, 12, 24)])
    assert cal.add(wib(2026, 12, 23, 15, 50), 30 * M) == wib(2026, 12, 24, 7, 50)
    assert cal.day_hours(dt.date(2026, 12, 24)) == DEFAULT_WEEK[3]
    assert cal.describe(dt.date(2026, 12, 24)).kind == "working_override"


def test_working_day_override_on_a_weekend_uses_the_first_working_weekday():
    cal = WorkCalendar(working_days={dt.date(2026, 11, 28): "Sabtu kerja"})
    assert cal.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 11, 28, 7, 50)
    assert cal.day_hours(dt.date(2026, 11, 28)) == DEFAULT_WEEK[0]
    # during Ramadan the Ramadan Monday hours apply
    assert WITH_OVERRIDES.day_hours(dt.date(2026, 3, 7)) == RAMADAN_WEEK[0]


def test_day_off_wins_over_a_working_day_override():
    day = dt.date(2026, 12, 1)
    cal = WorkCalendar(days_off=[day], working_days=[day])
    assert not cal.is_working_day(day)


def test_units_that_work_on_saturday():
    # 10 minutes left on Friday, the other 20 on Saturday from 08:00.
    assert WEEKEND_UNIT.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 11, 28, 8, 20)
    assert WEEKEND_UNIT.add(wib(2026, 11, 28, 11, 30), H) == wib(2026, 11, 30, 8, 0)
    assert not WEEKEND_UNIT.is_working_day(dt.date(2026, 11, 29))


def test_long_durations_agree_with_between():
    start = wib(2026, 1, 5, 9, 17)
    duration = parse_duration("400d")
    due = DEFAULT.add(start, duration)
    assert due.year == 2027
    assert DEFAULT.between(start, due) == duration


def test_between_is_zero_when_end_is_not_after_start():
    assert DEFAULT.between(wib(2026, 11, 30, 10), wib(2026, 11, 30, 10)) == dt.timedelta(0)
    assert DEFAULT.between(wib(2026, 11, 30, 10), wib(2026, 11, 30, 9)) == dt.timedelta(0)


def test_equal_configurations_are_equal():
    assert WorkCalendar() == WorkCalendar.default()
    assert hash(WorkCalendar()) == hash(WorkCalendar.default())
    assert WorkCalendar(days_off=[dt.date(2026, 1, 2)]) == WorkCalendar(
        days_off={dt.date(2026, 1, 2): ""}
    )
    assert WorkCalendar(days_off=[dt.date(2026, 1, 2)]) != DEFAULT


# --- errors ---------------------------------------------------------------------------------


def test_naive_and_negative_inputs_are_refused():
    with pytest.raises(ValueError, match="naive"):
        DEFAULT.add(dt.datetime(2026, 11, 30, 10), M)
    with pytest.raises(ValueError, match="naive"):
        DEFAULT.between(dt.datetime(2026, 11, 30, 10), wib(2026, 11, 30, 11))
    with pytest.raises(ValueError, match="negative"):
        DEFAULT.add(wib(2026, 11, 30, 10), -M)
    with pytest.raises(TypeError):
        DEFAULT.add(wib(2026, 11, 30, 10), 30)


@pytest.mark.parametrize(
    "args",
    [
        ("16:00", "07:30"),
        ("07:30", "07:30"),
        ("07:30", "16:00", "12:00", None),
        ("07:30", "16:00", "13:00", "12:00"),
        ("07:30", "16:00", "07:00", "08:00"),
        ("07:30", "16:00", "15:00", "16:00"),
        ("07:30", "16:00", "07:30", "08:00"),
        ("7.30", "16:00"),
    ],
)
def test_invalid_day_hours(args):
    with pytest.raises(CalendarConfigError):
        DayHours(*args)


def test_invalid_weeks_and_periods():
    with pytest.raises(CalendarConfigError):
        WorkCalendar(week=DEFAULT_WEEK[:6])
    with pytest.raises(CalendarConfigError):
        SpecialPeriod.ramadan(dt.date(2026, 3, 19), dt.date(2026, 2, 19))
    with pytest.raises(CalendarConfigError):
        WorkCalendar(days_off=[wib(2026, 1, 2)])


def test_a_calendar_without_working_time_gives_up_clearly():
    closed = WorkCalendar(week=(None,) * 7)
    with pytest.raises(NoWorkingTimeError, match="check the working calendar"):
        closed.add(wib(2026, 1, 1), M)
    # a very long run of holidays is not mistaken for a broken calendar
    off = {dt.date(2026, 1, 1) + dt.timedelta(days=i): "" for i in range(400)}
    # the run ends on 4 Feb 2027; 5 Feb 2027 is cuti bersama Imlek, so Monday 8 Feb it is
    assert WorkCalendar(days_off=off).add(wib(2026, 1, 1), M) == wib(2027, 2, 8, 7, 31)


# --- properties -----------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=120,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
CALENDARS = {
    "default": DEFAULT,
    "ramadan": WITH_RAMADAN,
    "overrides": WITH_OVERRIDES,
    "weekend-unit": WEEKEND_UNIT,
}
NATIONAL = holidays.country_holidays("ID", categories=("public", "government"), language="id")
# minutes of the day where working intervals start or end, to hit the boundaries often
EDGES = [450, 480, 690, 720, 750, 780, 900, 930, 960, 990]

days = st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31))
minute_of_day = st.one_of(st.integers(0, 24 * 60 - 1), st.sampled_from(EDGES))
instants = st.one_of(
    st.builds(
        lambda day, minute: dt.datetime.combine(day, dt.time(), tzinfo=JAKARTA) + minute * M,
        days,
        minute_of_day,
    ),
    st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2026, 12, 31),
        timezones=st.sampled_from([JAKARTA, UTC]),
    ),
)
durations = st.one_of(
    st.integers(0, 3 * 450).map(lambda n: n * M),
    st.sampled_from([0, 1, 30, 90, 450, 2250]).map(lambda n: n * M),
    st.integers(0, 10**6).map(lambda s: dt.timedelta(seconds=s)),
)
calendar_names = pytest.mark.parametrize("name", sorted(CALENDARS))


def oracle_spans(name: str, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Working spans of ``day``, written out from the test's own configuration."""
    in_ramadan = name in ("ramadan", "overrides") and day in RAMADAN_2026
    week = RAMADAN_WEEK if in_ramadan else WEEKEND_UNIT.week if name == "weekend-unit" else None
    week = week or DEFAULT_WEEK
    if name == "overrides" and day in WITH_OVERRIDES.days_off:
        return []
    if name == "overrides" and day in WITH_OVERRIDES.working_days:
        hours = week[day.weekday()] or week[0]
    elif day in NATIONAL:
        return []
    else:
        hours = week[day.weekday()]
    if hours is None:
        return []
    spans = [(hours.start, hours.end)]
    if hours.break_start is not None:
        spans = [(hours.start, hours.break_start), (hours.break_end, hours.end)]
    return [
        (dt.datetime.combine(day, a, tzinfo=JAKARTA), dt.datetime.combine(day, b, tzinfo=JAKARTA))
        for a, b in spans
    ]


@calendar_names
@PROPERTY_SETTINGS
@given(start=instants, duration=durations)
def test_result_ends_inside_working_time(name, start, duration):
    cal = CALENDARS[name]
    due = cal.add(start, duration)
    assert str(due.tzinfo) == "Asia/Jakarta"
    if duration == dt.timedelta(0):
        assert due == start
        return
    assert due > start
    local = due.astimezone(JAKARTA)
    assert any(a < local <= b for a, b in oracle_spans(name, local.date())), local
    assert cal.is_working_time(due - dt.timedelta(microseconds=1))


@calendar_names
@PROPERTY_SETTINGS
@given(start=instants, duration=durations)
def test_between_inverts_add(name, start, duration):
    cal = CALENDARS[name]
    assert cal.between(start, cal.add(start, duration)) == duration


@calendar_names
@PROPERTY_SETTINGS
@given(start=instants, first=durations, second=durations)
def test_add_is_additive(name, start, first, second):
    cal = CALENDARS[name]
    assert cal.add(cal.add(start, first), second) == cal.add(start, first + second)


@calendar_names
@PROPERTY_SETTINGS
@given(a=instants, b=instants, duration=durations)
def test_add_is_monotonic_in_start(name, a, b, duration):
    cal = CALENDARS[name]
    a, b = sorted((a, b))
    assert cal.add(a, duration) <= cal.add(b, duration)


@calendar_names
@PROPERTY_SETTINGS
@given(start=instants, d1=durations, d2=durations)
def test_add_is_monotonic_in_duration(name, start, d1, d2):
    cal = CALENDARS[name]
    d1, d2 = sorted((d1, d2))
    assert cal.add(start, d1) <= cal.add(start, d2)
    if d1 < d2:
        assert cal.add(start, d1) < cal.add(start, d2)


@calendar_names
@PROPERTY_SETTINGS
@given(a=instants, b=instants, c=instants)
def test_between_is_additive_over_a_split_point(name, a, b, c):
    cal = CALENDARS[name]
    a, b, c = sorted((a, b, c))
    assert cal.between(a, c) == cal.between(a, b) + cal.between(b, c)
    assert cal.between(a, c) <= c - a
    assert cal.between(c, a) == dt.timedelta(0)


@calendar_names
@settings(PROPERTY_SETTINGS, max_examples=25)
@given(day=days, first=minute_of_day, length=st.integers(0, 3 * 24 * 60))
def test_between_counts_exactly_the_working_minutes(name, day, first, length):
    """Minute by minute against the written-out spans."""
    cal = CALENDARS[name]
    start = dt.datetime.combine(day, dt.time(), tzinfo=JAKARTA) + first * M
    end = start + length * M
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for offset in range((end.date() - start.date()).days + 1):
        spans += oracle_spans(name, start.date() + dt.timedelta(days=offset))
    minutes = sum(
        1
        for i in range(length)
        if any(a <= start + i * M < b for a, b in spans)  # all spans are on whole minutes
    )
    assert cal.between(start, end) == minutes * M


# --- configuration in the database --------------------------------------------------------

db = pytest.mark.django_db


@db
def test_empty_configuration_is_the_default_calendar():
    from warta.worktime.config import get_calendar

    cal = get_calendar()
    assert cal == DEFAULT
    assert cal.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 11, 30, 7, 50)


@db
def test_seed_default_calendar_creates_the_perpres_week_once():
    from warta.worktime.config import get_calendar, seed_default_calendar
    from warta.worktime.models import WeekdayHours

    assert WeekdayHours.objects.count() == 7  # the data migration seeded them
    WeekdayHours.objects.all().delete()
    assert seed_default_calendar() == 7
    assert seed_default_calendar() == 0
    rows = list(WeekdayHours.objects.order_by("weekday"))
    assert [row.as_day_hours() for row in rows] == list(DEFAULT_WEEK)
    assert [row.is_working for row in rows] == [True] * 5 + [False] * 2
    assert get_calendar() == DEFAULT


@db
def test_seed_default_calendar_works_with_historical_models():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from warta.worktime.config import seed_default_calendar
    from warta.worktime.models import WeekdayHours

    WeekdayHours.objects.all().delete()
    state = MigrationExecutor(connection).loader.project_state()
    assert seed_default_calendar(state.apps, None) == 7
    assert WeekdayHours.objects.count() == 7
    assert seed_default_calendar(state.apps, None) == 0


@db
def test_every_change_is_seen_at_once():
    from warta.worktime.config import get_calendar
    from warta.worktime.models import HolidayOverride

    start = wib(2026, 11, 27, 16, 20)
    assert get_calendar().add(start, 30 * M) == wib(2026, 11, 30, 7, 50)
    first = get_calendar()
    assert get_calendar() is first  # unchanged rows: the same (cached) calendar

    override = HolidayOverride.objects.create(
        date=dt.date(2026, 11, 30), kind="day_off", description="Hari jadi kabupaten"
    )
    assert get_calendar().add(start, 30 * M) == wib(2026, 12, 1, 7, 50)
    assert get_calendar().describe(dt.date(2026, 11, 30)).note == "Hari jadi kabupaten"

    # a bulk update bypasses save() and signals, and is still seen
    HolidayOverride.objects.filter(pk=override.pk).update(date=dt.date(2026, 12, 1))
    assert get_calendar().add(start, 30 * M) == wib(2026, 11, 30, 7, 50)
    assert get_calendar().add(wib(2026, 11, 30, 15, 50), 30 * M) == wib(2026, 12, 2, 7, 50)

    HolidayOverride.objects.all().delete()
    assert get_calendar() == DEFAULT


@db
def test_working_day_override_from_the_database():
    from warta.worktime.config import get_calendar
    from warta.worktime.models import HolidayOverride

    HolidayOverride.objects.create(
        date=dt.date(2026, 12, 24), kind="working_day", description="Cuti bersama tidak diambil"
    )
    HolidayOverride.objects.create(
        date=dt.date(2026, 11, 28), kind=HolidayOverride.Kind.WORKING_DAY, description="Sabtu"
    )
    cal = get_calendar()
    assert cal.add(wib(2026, 12, 23, 15, 50), 30 * M) == wib(2026, 12, 24, 7, 50)
    assert cal.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 11, 28, 7, 50)


@db
def test_weekday_rows_replace_only_their_own_day():
    from warta.worktime.config import get_calendar
    from warta.worktime.models import WeekdayHours

    WeekdayHours.objects.filter(weekday=5).update(
        is_working=True, start=dt.time(8), end=dt.time(12)
    )  # a unit that works Saturday mornings; other days keep their defaults
    cal = get_calendar()
    assert cal == WEEKEND_UNIT
    assert cal.add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 11, 28, 8, 20)

    WeekdayHours.objects.filter(weekday=0).update(is_working=False)
    assert not get_calendar().is_working_day(dt.date(2026, 11, 30))


@db
def test_ramadan_period_created_with_the_preset():
    from warta.audit.models import Event
    from warta.worktime.config import create_special_period, get_calendar

    period = create_special_period(
        actor=None, name="Ramadan 1447 H", start_date=RAMADAN_2026.start, end_date=RAMADAN_2026.end
    )
    assert period.hours.count() == 7
    cal = get_calendar()
    assert cal.add(wib(2026, 3, 2, 11, 0), 2 * H) == wib(2026, 3, 2, 13, 30)
    assert cal.describe(dt.date(2026, 3, 2)).special_period == "Ramadan 1447 H"
    assert cal.day_hours(dt.date(2026, 3, 25)) == DEFAULT_WEEK[2]
    event = Event.objects.get(action="worktime.calendar_changed")
    assert event.object_id == str(period.pk)
    assert len(event.after["hours"]) == 7

    with pytest.raises(ValidationError):
        create_special_period(
            actor=None,
            name="Tumpang tindih",
            start_date=dt.date(2026, 3, 19),
            end_date=dt.date(2026, 3, 30),
        )


@db
def test_special_period_without_a_row_for_a_weekday_keeps_its_regular_hours():
    from warta.worktime.config import get_calendar
    from warta.worktime.models import SpecialPeriod as Period
    from warta.worktime.models import SpecialPeriodHours

    period = Period.objects.create(
        name="Pekan olahraga", start_date=dt.date(2026, 9, 7), end_date=dt.date(2026, 9, 11)
    )
    SpecialPeriodHours.objects.create(
        period=period, weekday=4, is_working=True, start=dt.time(9), end=dt.time(11)
    )
    cal = get_calendar()
    assert cal.day_hours(dt.date(2026, 9, 11)) == DayHours("09:00", "11:00")
    assert cal.day_hours(dt.date(2026, 9, 10)) == DEFAULT_WEEK[3]
    assert cal.day_hours(dt.date(2026, 9, 18)) == DEFAULT_WEEK[4]


@db
@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"start": None, "end": dt.time(16)}, "start"),
        ({"start": dt.time(16), "end": dt.time(7, 30)}, "end"),
        ({"break_start": dt.time(12)}, "break_end"),
        ({"break_end": dt.time(13)}, "break_start"),
        ({"break_start": dt.time(13), "break_end": dt.time(12)}, "break_start"),
        ({"break_start": dt.time(7), "break_end": dt.time(8)}, "break_start"),
        ({"break_start": dt.time(15), "break_end": dt.time(16)}, "break_start"),
    ],
)
def test_weekday_hours_validation(fields, error_field):
    from warta.worktime.models import WeekdayHours

    values = {"weekday": 0, "is_working": True, "start": dt.time(7, 30), "end": dt.time(16)}
    row = WeekdayHours(**{**values, **fields})
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert error_field in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()  # the database refuses it too


@db
def test_valid_hours_and_days_off_pass_validation():
    from warta.worktime.models import WeekdayHours

    WeekdayHours.objects.all().delete()  # start from an empty table: weekday is unique
    WeekdayHours(weekday=0, start=dt.time(7, 30), end=dt.time(16)).full_clean()
    WeekdayHours(
        weekday=1,
        start=dt.time(7, 30),
        end=dt.time(16),
        break_start=dt.time(12),
        break_end=dt.time(13),
    ).full_clean()
    WeekdayHours(weekday=6, is_working=False).full_clean()
    WeekdayHours(weekday=5, is_working=False, start=dt.time(9), end=dt.time(8)).save()


@db
def test_special_period_dates_are_validated():
    from warta.worktime.models import SpecialPeriod as Period

    with pytest.raises(ValidationError) as caught:
        Period(name="x", start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 1)).full_clean()
    assert "end_date" in caught.value.message_dict
    Period.objects.create(name="a", start_date=dt.date(2026, 3, 1), end_date=dt.date(2026, 3, 5))
    with pytest.raises(ValidationError, match="bertumpang tindih"):
        Period(name="b", start_date=dt.date(2026, 3, 5), end_date=dt.date(2026, 3, 9)).full_clean()
    Period(name="c", start_date=dt.date(2026, 3, 6), end_date=dt.date(2026, 3, 9)).full_clean()


@db
def test_admin_changes_are_applied_and_audited(admin_client):
    from warta.audit.models import Event
    from warta.worktime.config import get_calendar
    from warta.worktime.models import HolidayOverride

    response = admin_client.post(
        "/admin/worktime/holidayoverride/add/",
        {"date": "2026-11-30", "kind": "day_off", "description": "Hari jadi kabupaten"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert HolidayOverride.objects.count() == 1
    assert get_calendar().add(wib(2026, 11, 27, 16, 20), 30 * M) == wib(2026, 12, 1, 7, 50)
    event = Event.objects.get(action="worktime.calendar_changed")
    assert event.after["date"] == "2026-11-30"
    assert event.actor_name

    listing = admin_client.get("/admin/worktime/holidayoverride/")
    assert listing.status_code == 200
    assert admin_client.get("/admin/worktime/weekdayhours/").status_code == 200
    assert admin_client.get("/admin/worktime/specialperiod/add/").status_code == 200

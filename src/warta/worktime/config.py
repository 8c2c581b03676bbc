"""The working calendar as configured by the admin: reading it, seeding it, changing it.

:func:`get_calendar` is what the engine calls. It reads the three configuration tables on every
call (three small indexed queries returning plain tuples, no model instances) and rebuilds the
:class:`~warta.worktime.calendar.WorkCalendar` only when those rows differ from the last call's.
So a change is seen at once by every process — admin, web workers, task workers — whatever
way it was made (admin, shell, ``QuerySet.update()``, another machine), with no invalidation
protocol to get wrong. The rebuilt calendar is shared, so its per-day cache survives between
calls. Callers that need the calendar many times in one go (a report over thousands of step
runs) should call :func:`get_calendar` once and keep the result.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.db import connections, transaction

from warta.worktime.calendar import (
    DEFAULT_WEEK,
    RAMADAN_WEEK,
    DayHours,
    SpecialPeriod,
    Week,
    WorkCalendar,
)
from warta.worktime.models import HolidayOverride, SpecialPeriodHours, WeekdayHours
from warta.worktime.models import SpecialPeriod as SpecialPeriodModel

__all__ = [
    "build_calendar",
    "create_special_period",
    "get_calendar",
    "seed_default_calendar",
    "set_special_period_hours",
]

logger = logging.getLogger(__name__)

#: The audit action of every change to the calendar's configuration.
CALENDAR_CHANGED = "worktime.calendar_changed"

_HOURS = ("weekday", "is_working", "start", "end", "break_start", "break_end")
_PERIOD = ("period_id", "period__name", "period__start_date", "period__end_date")

_lock = threading.Lock()
_last: tuple[Any, WorkCalendar] | None = None
_tables_seen: set[tuple[str, str]] = set()
_DEFAULT = WorkCalendar.default()


def _hours(is_working: bool, start, end, break_start, break_end) -> DayHours | None:
    return DayHours(start, end, break_start, break_end) if is_working else None


def build_calendar(
    weekday_rows: tuple = (), period_rows: tuple = (), override_rows: tuple = ()
) -> WorkCalendar:
    """A calendar from configuration rows as :func:`get_calendar` reads them.

    ``weekday_rows``: ``(weekday, is_working, start, end, break_start, break_end)``;
    ``period_rows``: ``(period_id, name, start_date, end_date)`` followed by the same six hour
    fields; ``override_rows``: ``(date, kind, description)``. Weekdays without a row keep the
    default hours; during a special period, weekdays without a row keep the regular hours.
    """
    week = list(DEFAULT_WEEK)
    for weekday, *hours in weekday_rows:
        week[weekday] = _hours(*hours)
    periods: dict[int, dict[str, Any]] = {}
    for period_id, name, start_date, end_date, weekday, *hours in period_rows:
        entry = periods.setdefault(
            period_id, {"name": name, "start": start_date, "end": end_date, "week": list(week)}
        )
        entry["week"][weekday] = _hours(*hours)
    special = sorted(
        (
            SpecialPeriod(e["name"], e["start"], e["end"], tuple(e["week"]))
            for e in periods.values()
        ),
        key=lambda p: (p.start, p.end),
    )
    days_off = {d: text for d, kind, text in override_rows if kind == HolidayOverride.Kind.DAY_OFF}
    working = {d: text for d, kind, text in override_rows if kind != HolidayOverride.Kind.DAY_OFF}
    return WorkCalendar(
        week=tuple(week), special_periods=tuple(special), days_off=days_off, working_days=working
    )


def _tables_exist(using: str) -> bool:
    """Whether the configuration tables exist (checked until they do, then remembered)."""
    models = (WeekdayHours, SpecialPeriodModel, SpecialPeriodHours, HolidayOverride)
    names = {(using, m._meta.db_table) for m in models}
    if names <= _tables_seen:
        return True
    connection = connections[using]
    with connection.cursor() as cursor:
        present = {(using, name) for name in connection.introspection.table_names(cursor)}
    _tables_seen.update(names & present)
    return names <= _tables_seen


def get_calendar(*, using: str = "default") -> WorkCalendar:
    """The working calendar as configured now (the Perpres 21/2023 defaults if nothing is).

    If the configuration tables do not exist yet (a database that was never migrated), a
    warning is logged and the defaults are returned; any other database error propagates.
    """
    global _last
    if not _tables_exist(using):
        logger.warning(
            "Tabel kalender kerja belum ada (jalankan `warta migrate`); memakai kalender bawaan."
        )
        return _DEFAULT
    key = (
        tuple(WeekdayHours.objects.using(using).order_by("weekday").values_list(*_HOURS)),
        tuple(
            SpecialPeriodHours.objects.using(using)
            .order_by("period__start_date", "period_id", "weekday")
            .values_list(*_PERIOD, *_HOURS)
        ),
        tuple(
            HolidayOverride.objects.using(using)
            .order_by("date")
            .values_list("date", "kind", "description")
        ),
    )
    with _lock:
        if _last is not None and _last[0] == key:
            return _last[1]
    calendar = _DEFAULT if not any(key) else build_calendar(*key)
    with _lock:
        _last = (key, calendar)
    return calendar


def seed_default_calendar(apps: Any = None, schema_editor: Any = None) -> int:
    """Create the default weekday rows (Perpres 21/2023) if there are none; return how many.

    Usable directly in a data migration: ``migrations.RunPython(seed_default_calendar,
    migrations.RunPython.noop)`` (it then uses the historical model from ``apps``).
    """
    model = apps.get_model("worktime", "WeekdayHours") if apps is not None else WeekdayHours
    using = schema_editor.connection.alias if schema_editor is not None else "default"
    manager = model.objects.using(using)
    if manager.exists():
        return 0
    rows = [_hours_row(model, weekday, hours) for weekday, hours in enumerate(DEFAULT_WEEK)]
    manager.bulk_create(rows)
    return len(rows)


def _hours_row(model: Any, weekday: int, hours: DayHours | None, **extra: Any) -> Any:
    if hours is None:
        return model(weekday=weekday, is_working=False, **extra)
    return model(
        weekday=weekday,
        is_working=True,
        start=hours.start,
        end=hours.end,
        break_start=hours.break_start,
        break_end=hours.break_end,
        **extra,
    )


def snapshot(obj: Any) -> dict[str, Any]:
    """A calendar row's fields, for the before/after of its audit event."""
    from warta.audit.snapshots import snapshot as audit_snapshot

    return audit_snapshot(obj, exclude=("updated_at",))


def _week_snapshot(period: SpecialPeriodModel) -> dict[str, Any]:
    return {
        **snapshot(period),
        "hours": [snapshot(row) for row in period.hours.order_by("weekday")],
    }


def set_special_period_hours(*, actor: Any, period: SpecialPeriodModel, week: Week) -> None:
    """Replace all weekday hours of ``period`` with ``week`` (e.g. :data:`RAMADAN_WEEK`)."""
    from warta.audit.services import record_event

    with transaction.atomic():
        before = _week_snapshot(period)
        period.hours.all().delete()
        SpecialPeriodHours.objects.bulk_create(
            [
                _hours_row(SpecialPeriodHours, i, hours, period=period)
                for i, hours in enumerate(week)
            ]
        )
        period.save(update_fields=["updated_at"])
        record_event(
            action=CALENDAR_CHANGED,
            actor=actor,
            object_type=SpecialPeriodModel._meta.label_lower,
            object_id=period.pk,
            before=before,
            after=_week_snapshot(period),
            note="hours replaced",
        )


def create_special_period(
    *,
    actor: Any,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    week: Week = RAMADAN_WEEK,
) -> SpecialPeriodModel:
    """Create a special period with ``week``'s hours (default: the Ramadan preset).

    Raises :class:`django.core.exceptions.ValidationError` if the dates are inverted or the
    period overlaps another one.
    """
    from warta.audit.services import record_event

    with transaction.atomic():
        period = SpecialPeriodModel(name=name, start_date=start_date, end_date=end_date)
        period.full_clean()
        period.save()
        SpecialPeriodHours.objects.bulk_create(
            [
                _hours_row(SpecialPeriodHours, i, hours, period=period)
                for i, hours in enumerate(week)
            ]
        )
        record_event(
            action=CALENDAR_CHANGED,
            actor=actor,
            object_type=SpecialPeriodModel._meta.label_lower,
            object_id=period.pk,
            after=_week_snapshot(period),
            note="special period created",
        )
    return period

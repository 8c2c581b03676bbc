"""Reads of cases and steps that pages, reports and the CLI need."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from warta.accounts.selectors import principals_of, role_codes_of
from warta.sop.selectors import active_versions
from warta.workflow.calendar import WorkCalendar
from warta.workflow.models import Case, StepRun


def open_step_run(case: Case) -> StepRun | None:
    return case.step_runs.filter(finished_at__isnull=True).first()


def timeline(case: Case) -> QuerySet[StepRun]:
    return case.step_runs.select_related("assignee", "finished_by").prefetch_related("deviations")


def tasks_for(user: Any) -> QuerySet[StepRun]:
    """Open steps the user may act on: assigned to them, unassigned in a role they hold, or
    assigned to the official they are Plh/Plt of."""
    roles = role_codes_of(user)
    # A Plh/Plt also sees the steps assigned to the official they stand in for, in that role.
    standing_in = principals_of(user)
    return (
        StepRun.objects.filter(finished_at__isnull=True, case__status=Case.Status.OPEN)
        .filter(
            Q(assignee=user)
            | Q(assignee__isnull=True, role_id__in=roles)
            | Q(assignee_id__in=standing_in, role_id__in=roles)
        )
        .select_related("case", "case__sop", "assignee")
        .order_by("due_at", "started_at")
    )


def supervisor_role_codes() -> set[str]:
    """The roles that supervise another role in an active SOP (e.g. Kasubbag, Kabag)."""
    return {
        role.supervisor
        for version in active_versions()
        for role in version.definition().roles
        if role.supervisor
    }


def supervises_anyone(user: Any) -> bool:
    """Whether ``user`` holds (or acts in) a supervising role: they see the unit's work."""
    return bool(role_codes_of(user) & supervisor_role_codes())


AMBER_FROM = 0.75  # share of the time standard used up after which a step shows amber


@dataclass(frozen=True)
class TimeStatus:
    """How a step stands against its time standard, in working time."""

    level: str  # "green", "amber", "red", or "none" when the step has no time standard
    used: dt.timedelta | None
    remaining: dt.timedelta | None  # negative when late
    due_at: dt.datetime | None

    @property
    def late(self) -> bool:
        return self.level == "red"

    @property
    def overdue_by(self) -> dt.timedelta | None:
        return -self.remaining if self.remaining is not None and self.late else None


def time_status(run: StepRun, *, calendar: WorkCalendar, now: dt.datetime) -> TimeStatus:
    if run.time_standard is None or run.due_at is None:
        return TimeStatus("none", None, None, None)
    end = run.finished_at or now
    used = calendar.between(run.started_at, end)
    if end > run.due_at:
        return TimeStatus("red", used, -calendar.between(run.due_at, end), run.due_at)
    remaining = run.time_standard - used
    standard = run.time_standard.total_seconds() or 1
    level = "amber" if used.total_seconds() / standard >= AMBER_FROM else "green"
    return TimeStatus(level, used, remaining, run.due_at)

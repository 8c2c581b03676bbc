"""Reads of cases and steps that pages, reports and the CLI need."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from warta.accounts.selectors import principals_of, role_codes_of
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

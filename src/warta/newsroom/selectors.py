"""Reads for the newsroom pages. Each page runs a fixed number of queries, whatever the number
of items, photos and steps (asserted in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from warta.newsroom.models import NewsItem, Revision
from warta.workflow import clock
from warta.workflow.calendar_config import get_calendar
from warta.workflow.deviations import unexplained_for
from warta.workflow.models import Case, StepRun
from warta.workflow.selectors import TimeStatus, tasks_for, time_status


@dataclass(frozen=True)
class Task:
    run: StepRun
    item: NewsItem | None
    status: TimeStatus


def _with_status(runs: QuerySet[StepRun]) -> list[Task]:
    calendar, now = get_calendar(), clock.now()
    tasks = []
    for run in runs:
        item = getattr(run.case, "news_item", None)
        tasks.append(Task(run, item, time_status(run, calendar=calendar, now=now)))
    return tasks


def _counts(tasks: list[Task]) -> dict[str, int]:
    counts = {"total": len(tasks), "green": 0, "amber": 0, "red": 0, "none": 0}
    for task in tasks:
        counts[task.status.level] += 1
    return counts


def inbox(user: Any) -> tuple[list[Task], dict[str, int]]:
    """What waits for ``user``, most urgent first, with counts by time status."""
    runs = tasks_for(user).select_related("case__news_item", "case__news_item__cover")
    tasks = _with_status(runs)
    return tasks, _counts(tasks)


def deviations_to_explain(user: Any) -> int:
    """How many deviation records wait for ``user``'s explanation (new, or disputed): a to-do on
    the inbox, not a warning on every page."""
    return unexplained_for(user).count()


def unit_overview() -> tuple[list[Task], dict[str, int]]:
    """Every open item of the unit: where it stands and who holds it."""
    runs = (
        StepRun.objects.filter(finished_at__isnull=True, case__status=Case.Status.OPEN)
        .select_related("case", "case__sop", "assignee", "case__news_item")
        .order_by("due_at", "started_at")
    )
    tasks = _with_status(runs)
    return tasks, _counts(tasks)


def recent_items(limit: int = 10) -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("case").order_by("-updated_at")[:limit]


@dataclass
class ItemPage:
    item: NewsItem
    case: Case
    runs: list[StepRun]
    open_run: StepRun | None
    statuses: dict[int, TimeStatus]
    returned_run: StepRun | None  # the latest return for revision, when the draft came back
    submitted: list[Revision]  # submitted revisions, newest first


def item_page(pk: int) -> ItemPage:
    item = (
        NewsItem.objects.select_related("case", "case__sop", "cover", "created_by")
        .prefetch_related("photos", "videos", "publications")
        .get(pk=pk)
    )
    case = item.case
    runs = list(
        case.step_runs.select_related("assignee", "finished_by")
        .prefetch_related("deviations__attributed_to")
        .order_by("seq")
    )
    calendar, now = get_calendar(), clock.now()
    statuses = {run.pk: time_status(run, calendar=calendar, now=now) for run in runs}
    open_run = next((run for run in runs if run.finished_at is None), None)
    returned = [run for run in runs if run.kind == "decision" and run.outcome == "kembalikan"]
    submitted = list(
        item.revisions.filter(kind=Revision.Kind.SUBMITTED)
        .select_related("saved_by")
        .order_by("-number")
        .defer("body")[:20]
    )
    return ItemPage(
        item=item,
        case=case,
        runs=runs,
        open_run=open_run,
        statuses=statuses,
        returned_run=returned[-1] if returned else None,
        submitted=submitted,
    )


def review_diff_pair(item: NewsItem) -> tuple[Revision, Revision] | None:
    """The version a reviewer returned and the one submitted after it: the diff the reviewer
    sees. None before the first return."""
    pair = list(item.revisions.filter(kind=Revision.Kind.SUBMITTED).order_by("-number")[:2])
    if len(pair) < 2:
        return None
    newer, older = pair
    return older, newer


def revisions_of(item: NewsItem) -> QuerySet[Revision]:
    return item.revisions.select_related("saved_by").order_by("-number")

"""Reads for the newsroom pages. Each page runs a fixed number of queries, whatever the number
of items, photos and steps (asserted in tests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from warta.media.models import Asset, Rendition
from warta.media.presenters import MediaView, present
from warta.media.video import channel_warnings, info_from_dict
from warta.newsroom.diff import html_diff
from warta.newsroom.errors import NoNewsSop
from warta.newsroom.models import NewsItem, Revision
from warta.publishing import channels as channel_list
from warta.sop.definition import SopDefinition, Step
from warta.sop.models import SopVersion
from warta.workflow.actions import OpenStep, open_step
from warta.workflow.models import Case, StepRun
from warta.workflow.registry import artifact_present
from warta.workflow.selectors import (
    TimeStatus,
    known_missing,
    tasks_for,
    time_status,
    unexplained_for,
)
from warta.worktime.calendar import WorkCalendar
from warta.worktime.config import get_calendar


@dataclass(frozen=True)
class Task:
    run: StepRun
    item: NewsItem | None
    status: TimeStatus


#: Open steps listed per page on the inbox and the unit overview.
TASKS_PAGE_SIZE = 50


@dataclass(frozen=True)
class TaskList:
    """One page of open steps (``page_obj`` for the pager; ``tasks`` its rows with their time
    status) and the counts by time status over all of them."""

    page_obj: Page
    tasks: list[Task]
    counts: dict[str, int]


def _counts(runs: QuerySet[StepRun], *, calendar: WorkCalendar, now: dt.datetime) -> dict[str, int]:
    """Counts by time status of the open ``runs``, without reading every one of them: a step
    past its due time is red and one without a time standard has none (both counted by the
    database); only the steps not yet due (few: a step is due within its time standard) are
    read to tell green from amber."""
    timed = Q(time_standard__isnull=False, due_at__isnull=False)
    counts = runs.order_by().aggregate(
        total=Count("pk"),
        red=Count("pk", filter=timed & Q(due_at__lt=now)),
        none=Count("pk", filter=Q(time_standard__isnull=True) | Q(due_at__isnull=True)),
    )
    pending = (
        runs.filter(timed, due_at__gte=now)
        .select_related(None)
        .order_by()
        .only("started_at", "time_standard", "due_at", "finished_at")
    )
    amber = sum(time_status(run, calendar=calendar, now=now).level == "amber" for run in pending)
    counts["amber"] = amber
    counts["green"] = counts["total"] - counts["red"] - counts["none"] - amber
    return counts


def _task_list(runs: QuerySet[StepRun], page: Any) -> TaskList:
    calendar, now = get_calendar(), timezone.now()
    counts = _counts(runs, calendar=calendar, now=now)
    paginator = Paginator(runs, TASKS_PAGE_SIZE)
    paginator.count = counts["total"]  # counted above: no second COUNT(*)
    page_obj = paginator.get_page(page)
    tasks = [
        Task(
            run, getattr(run.case, "news_item", None), time_status(run, calendar=calendar, now=now)
        )
        for run in page_obj.object_list
    ]
    return TaskList(page_obj, tasks, counts)


def inbox(user: Any, *, page: Any = None) -> TaskList:
    """What waits for ``user``, most urgent first (one page), with counts by time status."""
    runs = tasks_for(user).select_related("case__news_item", "case__news_item__cover")
    return _task_list(runs, page)


def deviations_to_explain(user: Any) -> int:
    """How many deviation records wait for ``user``'s explanation (new, or disputed): a to-do on
    the inbox, not a warning on every page. One count on a partial index that holds only the
    deviations still to explain (``workflow_dev_unexplained_idx``)."""
    return unexplained_for(user).count()


def unit_overview(*, page: Any = None) -> TaskList:
    """Every open item of the unit (one page): where it stands and who holds it."""
    runs = (
        StepRun.objects.filter(finished_at__isnull=True, case__status=Case.Status.OPEN)
        .select_related("case", "assignee", "case__news_item")
        .order_by("due_at", "started_at", "pk")
    )
    return _task_list(runs, page)


def recent_items(limit: int = 10) -> QuerySet[NewsItem]:
    return NewsItem.objects.select_related("case").order_by("-updated_at")[:limit]


def news_sop() -> SopVersion:
    """The active SOP that new news items run under: the one whose first step writes the item
    (``uses: newsroom.edit``). ``WARTA_NEWSROOM_SOP`` (a code) chooses when several do."""
    from warta.newsroom.capabilities import EDIT

    chosen = settings.WARTA_NEWSROOM_SOP
    candidates = []
    for version in SopVersion.objects.filter(is_active=True).order_by("-loaded_at", "-pk"):
        definition = version.definition()
        if definition.step(definition.start).uses == EDIT.name:
            if version.code == chosen:
                return version
            candidates.append(version)
    if len(candidates) == 1:
        return candidates[0]
    raise NoNewsSop()


def may_create(user: Any) -> bool:
    """Whether ``user`` holds the role that starts a news item (their own or as Plh)."""
    from warta.policy import may

    try:
        version = news_sop()
    except NoNewsSop:
        return False
    return may(user, "workflow.start_case", version)


def start_hand_on_label() -> str:
    """The label of "save the new note and finish the first step" ("" when there is no SOP or
    its first step is not an editing step)."""
    from warta.newsroom.capabilities import EDIT, hand_on_words

    try:
        definition = news_sop().definition()
    except NoNewsSop:
        return ""
    start = definition.step(definition.start)
    return hand_on_words(definition, start)[0] if start.uses == EDIT.name else ""


@dataclass
class ChecklistEntry:
    name: str
    present: bool
    blocking: bool
    known_at: StepRun | None = None  # where a tolerated missing item was already recorded


@dataclass
class ItemPage:
    item: NewsItem
    case: Case
    definition: SopDefinition
    runs: list[StepRun]
    open_run: StepRun | None
    step: Step | None  # the open run's step
    statuses: dict[int, TimeStatus]
    returned_run: StepRun | None  # the latest return for revision, when the draft came back
    ending_run: StepRun | None  # the decision that ended the case (e.g. a refusal)
    submitted: list[Revision]  # submitted revisions, newest first
    open: OpenStep  # what the viewer may do on the open step
    checklist: list[ChecklistEntry]
    diff: dict | None  # after a return: the returned and the resubmitted version compared
    photos: list[MediaView]
    videos: list[MediaView]

    @property
    def run_outputs(self) -> dict[int, list]:
        """The posts a step produced (publishing's addresses), by step run: the timeline shows
        them as the step's output. Reads the item's prefetched publications."""
        outputs: dict[int, list] = {}
        for publication in self.item.publications.all():
            if publication.step_run_id and publication.url and publication.state == "published":
                outputs.setdefault(publication.step_run_id, []).append(publication)
        return outputs

    @property
    def media_notes(self) -> list[str]:
        """What a reviewer should know of the media before deciding: files still processing or
        failed, photos without alt text, videos that do not fit a chosen channel."""
        notes = []
        for view in (*self.photos, *self.videos):
            name = view.asset.original_name or str(view.pk)
            if view.state == Asset.State.FAILED:
                notes.append(
                    _("%(name)s could not be processed: %(reason)s")
                    % {"name": name, "reason": view.asset.failure}
                )
            elif view.state == Asset.State.PROCESSING:
                notes.append(_("%(name)s is still being processed.") % {"name": name})
        missing_alt = sum(not view.alt.strip() for view in self.photos)
        if missing_alt:
            notes.append(
                ngettext(
                    "%(count)d photo has no alt text yet; it is required before publishing.",
                    "%(count)d photos have no alt text yet; it is required before publishing.",
                    missing_alt,
                )
                % {"count": missing_alt}
            )
        for view in self.videos:
            notes.extend(view.warnings)
        return notes

    @property
    def at_start(self) -> bool:
        return self.step is not None and self.step.id == self.definition.start

    @property
    def show_return_notes(self) -> bool:
        """The open step is the writers' and the draft came back to them since they last had it."""
        if self.returned_run is None or self.open_run is None or self.open.capability is None:
            return False
        later = [run for run in self.runs if run.seq > self.returned_run.seq and run.finished_at]
        return self.open.capability.editable and not later

    @property
    def end_name(self) -> str:
        end = self.definition.step_or_none(self.case.end_state)
        return end.name if end else ""

    @property
    def role_names(self) -> dict[str, str]:
        return {role.id: role.name for role in self.definition.roles}

    @property
    def decides(self) -> bool:
        """The viewer decides on the item now (the decision layout: summary, preview, diff)."""
        return bool(self.open.actions) and self.step is not None and self.step.kind == "decision"


def _returned_runs(definition: SopDefinition, runs: list[StepRun]) -> list[StepRun]:
    returned = []
    for run in runs:
        if run.kind != "decision" or not run.finished_at:
            continue
        step = definition.step_or_none(run.step_id)
        branch = step.branch(run.outcome) if step else None
        if branch is not None and branch.revision:
            returned.append(run)
    return returned


def _ending_run(case: Case, runs: list[StepRun]) -> StepRun | None:
    if case.is_open:
        return None
    finished = [run for run in runs if run.finished_at and run.finished_by_id]
    return finished[-1] if finished else None


def _checklist(case: Case, step: Step | None, definition: SopDefinition) -> list[ChecklistEntry]:
    if step is None:
        return []
    entries = []
    for requirement in step.kelengkapan.items:
        artifact = definition.artifact(requirement.artifact)
        entries.append(
            ChecklistEntry(
                name=artifact.name,
                present=bool(artifact_present(artifact, case)),
                blocking=requirement.on_missing == "block",
            )
        )
    if any(not entry.present and not entry.blocking for entry in entries):
        # A missing item already on record is one fact: say where, instead of warning again.
        known = known_missing(case)
        for entry, requirement in zip(entries, step.kelengkapan.items, strict=True):
            record = known.get(requirement.artifact)
            if not entry.present and record is not None:
                entry.known_at = record.step_run
    return entries


def _review_diff(item: NewsItem, case: Case, submitted: list[Revision]) -> dict | None:
    """After a return, what changed between the returned and the resubmitted version."""
    if not case.revision_round or len(submitted) < 2:
        return None
    older, newer = review_diff_pair(item)
    return {
        "older": older,
        "newer": newer,
        "html": html_diff(older.body, newer.body, old_title=older.title, new_title=newer.title),
    }


MEDIA_PREFETCH = ("photos__asset__renditions", "videos__asset__renditions")


def draft_media_url(asset: Asset, rendition: Rendition) -> str:
    """A draft's rendition, through the permission-checked view."""
    return reverse("newsroom:media_file", args=[asset.pk, rendition.spec])


def item_media(item: NewsItem) -> tuple[list[MediaView], list[MediaView]]:
    """The item's photos and videos as pages show them (prefetch ``MEDIA_PREFETCH``); each
    view's ``row`` is the item's Photo or Video row."""
    photos, videos = list(item.photos.all()), list(item.videos.all())
    photo_views = present((photo.asset for photo in photos), draft_media_url)
    video_views = present((video.asset for video in videos), draft_media_url)
    for view, row in (
        *zip(photo_views, photos, strict=True),
        *zip(video_views, videos, strict=True),
    ):
        view.row = row
        view.original_url = reverse("newsroom:media_file", args=[row.asset_id, "original"])
    for view in video_views:
        info = info_from_dict(view.asset.info)
        if info is not None:
            view.warnings = channel_warnings(
                info, channel_list.platforms_of(item.channels), name=view.asset.original_name
            )
    return photo_views, video_views


def open_step_of(case: Case, user: Any) -> OpenStep:
    """What ``user`` may do on the case's open step, without the rest of the item page."""
    run = case.step_runs.filter(finished_at__isnull=True).first()
    return open_step(case=case, run=run, user=user)


def item_page(pk: int, user: Any, *, data: Any = None, action: str = "") -> ItemPage:
    """Everything the item page shows to ``user``; ``data``/``action`` re-bind a refused form."""
    item = (
        NewsItem.objects.select_related("case", "case__sop", "cover", "created_by")
        .prefetch_related(*MEDIA_PREFETCH, "publications__account")
        .get(pk=pk)
    )
    case = item.case
    definition = case.sop.definition()
    runs = list(
        case.step_runs.select_related("assignee", "finished_by")
        .prefetch_related("deviations__attributed_to")
        .order_by("seq")
    )
    calendar, now = get_calendar(), timezone.now()
    statuses = {run.pk: time_status(run, calendar=calendar, now=now) for run in runs}
    open_run = next((run for run in runs if run.finished_at is None), None)
    step = definition.step(open_run.step_id) if open_run else None
    returned = _returned_runs(definition, runs)
    submitted = list(
        item.revisions.filter(kind=Revision.Kind.SUBMITTED)
        .select_related("saved_by")
        .order_by("-number")
        .defer("body")[:20]
    )
    photos, videos = item_media(item)
    opened = open_step(case=case, run=open_run, user=user, data=data, action=action)
    return ItemPage(
        item=item,
        case=case,
        definition=definition,
        runs=runs,
        open_run=open_run,
        step=step,
        statuses=statuses,
        returned_run=returned[-1] if returned else None,
        ending_run=_ending_run(case, runs),
        submitted=submitted,
        open=opened,
        checklist=_checklist(case, step, definition) if opened.actions else [],
        diff=_review_diff(item, case, submitted),
        photos=photos,
        videos=videos,
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

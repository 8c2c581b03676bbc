"""Reads of cases, steps and deviations that pages, reports, the CLI and subscribers to the
engine's events (notify) need. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import resolve_url

from warta.accounts.selectors import Capacity, capacity_for, principals_of, role_codes_of
from warta.sop.definition import SopDefinition
from warta.sop.selectors import active_versions
from warta.workflow.models import Case, Deviation, StepRun
from warta.workflow.registry import subject_url
from warta.worktime.calendar import WorkCalendar
from warta.worktime.zone import JAKARTA

# Deviations about an artifact (missing at a step); the others are about time.
ARTIFACT_KINDS = (Deviation.Kind.KELENGKAPAN, Deviation.Kind.OUTPUT)


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
        .select_related("case", "assignee")
        .order_by("due_at", "started_at", "pk")
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


# --- links -----------------------------------------------------------------------------------


def case_url(case: Case) -> str:
    """The page of the case's subject, or the start page when its app names none."""
    return subject_url(case) or resolve_url(settings.LOGIN_REDIRECT_URL)


# --- who supervises whom ---------------------------------------------------------------------


def supervisor_roles(definition: SopDefinition, role_id: str, *, levels: int = 1) -> list[str]:
    """The roles up to ``levels`` steps up ``role_id``'s supervisor chain, nearest first
    (``levels=1``: the direct supervisor only)."""
    current, found = role_id, []
    for _level in range(levels):
        current = definition.role(current).supervisor if current else None
        if not current or current in found:
            break
        found.append(current)
    return found


def escalation_roles(definition: SopDefinition, role_id: str) -> list[str]:
    """Whom a late step of ``role_id`` escalates to: the role above the direct supervisor, or
    the direct supervisor when the chain ends there (none when the role has no supervisor)."""
    chain = supervisor_roles(definition, role_id, levels=2)
    return chain[1:] or chain[:1]


def supervisor_capacity(
    definition: SopDefinition, user: Any, role_id: str, now: dt.datetime
) -> Capacity | None:
    """The capacity in which ``user`` holds a role above ``role_id`` in the definition's
    supervisor chain (their own role, or as Plh/Plt), or None."""
    seen: set[str] = set()
    current = definition.role(role_id).supervisor
    while current and current not in seen:
        capacity = capacity_for(user, current, at=now)
        if capacity is not None:
            return capacity
        seen.add(current)
        current = definition.role(current).supervisor
    return None


def supervises(definition: SopDefinition, user: Any, role_id: str, now: dt.datetime) -> bool:
    return supervisor_capacity(definition, user, role_id, now) is not None


# --- how a step came to be opened ------------------------------------------------------------


def previous_run(run: StepRun) -> StepRun | None:
    """The step run of the case just before ``run`` (the one whose finishing opened it)."""
    return run.case.step_runs.filter(seq__lt=run.seq).order_by("-seq").first()


def returned_by(run: StepRun) -> StepRun | None:
    """The decision that sent the case back for revision and so opened ``run``, if it was one:
    the last person's decision before ``run``, when ``run`` is of a later revision round."""
    decided = (
        run.case.step_runs.filter(seq__lt=run.seq, automatic=False, finished_by__isnull=False)
        .select_related("finished_by")
        .order_by("-seq")
        .first()
    )
    if decided is None or decided.revision_round >= run.revision_round:
        return None
    return decided


# --- deviations ------------------------------------------------------------------------------


def open_missing_episodes(case: Case, *, before_seq: int | None = None) -> dict[str, list]:
    """Artifacts missing at the last step (before ``before_seq``) that checked them, each with
    the kelengkapan/output deviations recorded since it was last found, oldest first.

    An artifact whose episode holds no record (a case older than this rule) is left out, so the
    next step that misses it records it."""
    runs = case.step_runs.filter(artifacts_found__isnull=False)
    if before_seq is not None:
        runs = runs.filter(seq__lt=before_seq)
    last_found: dict[str, bool] = {}
    found_at: dict[str, int] = {}
    for seq, found in runs.order_by("seq").values_list("seq", "artifacts_found"):
        for artifact_id, present in (found or {}).items():
            last_found[artifact_id] = bool(present)
            if present:
                found_at[artifact_id] = seq
    missing = [artifact_id for artifact_id, present in last_found.items() if not present]
    if not missing:
        return {}
    records = (
        Deviation.objects.filter(case=case, kind__in=ARTIFACT_KINDS, subject__in=missing)
        .select_related("step_run", "attributed_to")
        .order_by("step_run__seq", "pk")
    )
    if before_seq is not None:
        records = records.filter(step_run__seq__lt=before_seq)
    episodes: dict[str, list] = {}
    for deviation in records:
        if deviation.step_run.seq > found_at.get(deviation.subject, 0):
            episodes.setdefault(deviation.subject, []).append(deviation)
    return episodes


def known_missing(case: Case) -> dict[str, Deviation]:
    """For each artifact missing now and already on record: the deviation that first recorded
    it (pages show "already recorded at step N" instead of a new warning)."""
    return {artifact_id: found[0] for artifact_id, found in open_missing_episodes(case).items()}


def unexplained_for(user: Any) -> QuerySet[Deviation]:
    """Deviations the user must still explain (new, or disputed and not yet re-explained)."""
    return Deviation.objects.filter(attributed_to=user).filter(
        Q(explained_at__isnull=True) | Q(review=Deviation.Review.DISPUTED)
    )


@dataclass(frozen=True)
class DeviationFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    step_id: str = ""
    person_id: int | None = None
    kind: str = ""
    explained: str = ""  # "yes", "no" or ""
    review: str = ""


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=JAKARTA)


def people_with_deviations() -> QuerySet:
    """The people any deviation is attributed to (one index probe per person, not a scan of
    every deviation)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(Exists(Deviation.objects.filter(attributed_to=OuterRef("pk"))))
        .order_by("first_name", "username")
    )


def deviation_list(filters: DeviationFilter) -> QuerySet[Deviation]:
    qs = Deviation.objects.select_related(
        "case", "step_run", "attributed_to", "reviewed_by"
    ).order_by("-created_at", "-pk")
    # Whole days in WIB, as a range of instants (an index on created_at serves it; a
    # ``__date`` lookup wraps the column in a function no index serves).
    if filters.start:
        qs = qs.filter(created_at__gte=_day_start(filters.start))
    if filters.end:
        qs = qs.filter(created_at__lt=_day_start(filters.end + dt.timedelta(days=1)))
    if filters.step_id:
        qs = qs.filter(step_run__step_id=filters.step_id)
    if filters.person_id:
        qs = qs.filter(attributed_to_id=filters.person_id)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.explained == "yes":
        qs = qs.filter(explained_at__isnull=False)
    elif filters.explained == "no":
        qs = qs.filter(explained_at__isnull=True)
    if filters.review:
        qs = qs.filter(review=filters.review)
    return qs


def counts_by_kind(qs: QuerySet[Deviation]) -> dict[str, int]:
    rows = qs.order_by().values("kind").annotate(n=Count("pk"))
    counts = {kind: 0 for kind in Deviation.Kind.values}
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts

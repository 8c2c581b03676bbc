"""Deviations (penyimpangan): which missing items are new facts worth a record, then — once
recorded — the executor explains, the supervisor acknowledges or disputes; and the reads for the
deviation pages. Each write is one transaction with its audit event and notifications.

A missing artifact is one fact (see docs/deadlines.md): it is recorded once, at the step and
against the person where it first went missing. Later steps that merely pass it on (their
kelengkapan lists it) see it as already known; a later step that was to *produce* it (its output
lists it and its kelengkapan does not) records its own, once per episode. When a step finds the
artifact again, the episode ends; missing again later is a new fact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from warta.audit.services import record_event
from warta.sop.definition import Step
from warta.workflow import clock
from warta.workflow.deadlines import notify_about, supervisors_of
from warta.workflow.errors import NotPermitted, ReasonRequired, WorkflowError
from warta.workflow.models import Case, Deviation

MIN_EXPLANATION = 10
ARTIFACT_KINDS = (Deviation.Kind.KELENGKAPAN, Deviation.Kind.OUTPUT)


class NotExplainedYet(WorkflowError):
    code = "not-explained"

    def __init__(self) -> None:
        super().__init__(_("The executor has not explained this deviation yet."))


# --- which missing items are new facts -------------------------------------------------------


def listed_artifacts(step: Step) -> list[str]:
    """The artifacts a step's kelengkapan or output lists, each once, in the SOP's order."""
    found: list[str] = []
    for item in (*step.kelengkapan.items, *step.output.items):
        if item.artifact not in found:
            found.append(item.artifact)
    return found


def produces(step: Step, artifact_id: str) -> bool:
    """Whether ``step`` is to make the artifact rather than pass it on: its output lists it and
    its kelengkapan does not."""
    needs = {item.artifact for item in step.kelengkapan.items}
    makes = {item.artifact for item in step.output.items}
    return artifact_id in makes and artifact_id not in needs


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


def artifact_deviations_due(
    *, step: Step, missing: set[str], episodes: dict[str, list]
) -> list[tuple[str, str]]:
    """(kind, artifact) of the records a step finished without ``missing`` must add: one for
    each artifact not yet on record (kelengkapan when the step needs it, output when it was to
    make it), and one for an artifact already on record only when this step was to make it and
    has not recorded it in this episode before (a revision loop does not repeat it)."""
    due: list[tuple[str, str]] = []
    for artifact_id in listed_artifacts(step):
        if artifact_id not in missing:
            continue
        earlier = episodes.get(artifact_id, [])
        if not earlier:
            needs = any(item.artifact == artifact_id for item in step.kelengkapan.items)
            kind = Deviation.Kind.KELENGKAPAN if needs else Deviation.Kind.OUTPUT
            due.append((kind, artifact_id))
        elif produces(step, artifact_id) and all(
            record.step_run.step_id != step.id for record in earlier
        ):
            due.append((Deviation.Kind.OUTPUT, artifact_id))
    return due


# --- explaining and reviewing -----------------------------------------------------------------


def _lock(deviation_id: int) -> Deviation:
    return (
        Deviation.objects.select_for_update(of=("self",))
        .select_related("case", "case__sop", "step_run", "attributed_to")
        .get(pk=deviation_id)
    )


def may_review(user: Any, deviation: Deviation) -> bool:
    from warta.workflow.services import supervises

    return bool(
        user.is_superuser
        or supervises(
            deviation.case.sop.definition(), user, deviation.step_run.role_id, clock.now()
        )
    )


@transaction.atomic
def explain_deviation(*, deviation_id: int, user: Any, explanation: str, ip: str = "") -> Deviation:
    """The executor's account of a deviation. May be rewritten until it is acknowledged."""
    deviation = _lock(deviation_id)
    if deviation.attributed_to_id != user.pk:
        raise NotPermitted(_("Only the person this deviation is attributed to may explain it."))
    if deviation.review == Deviation.Review.ACKNOWLEDGED:
        raise NotPermitted(_("This deviation was already acknowledged."))
    explanation = explanation.strip()
    if len(explanation) < MIN_EXPLANATION:
        raise ReasonRequired()
    before = {"explanation": deviation.explanation, "review": deviation.review}
    deviation.explanation = explanation
    deviation.explained_at = clock.now()
    deviation.review = Deviation.Review.PENDING
    deviation.save(update_fields=["explanation", "explained_at", "review"])
    record_event(
        action="workflow.deviation_explained",
        actor=user,
        object_type="workflow.deviation",
        object_id=deviation.pk,
        before=before,
        after={"explanation": explanation},
        ip=ip,
    )
    notify_about(
        deviation.case,
        supervisors_of(deviation.case.sop.definition(), deviation.step_run.role_id),
        kind="deviation",
        title=_("Explanation awaiting your review — %(step)s")
        % {
            "step": f"{deviation.step_run.step_number}. {deviation.step_run.step_name}".lstrip(". ")
        },
        body=_(
            "%(name)s explained a deviation (%(kind)s) on “%(title)s”. Please acknowledge or "
            "dispute it."
        )
        % {
            "name": user.get_full_name() or user.get_username(),
            "kind": deviation.get_kind_display(),
            "title": deviation.case.title,
        },
    )
    return deviation


@transaction.atomic
def review_deviation(
    *, deviation_id: int, user: Any, decision: str, note: str = "", ip: str = ""
) -> Deviation:
    """The supervisor acknowledges the explanation or disputes it (a dispute needs a note and
    asks the executor to explain again)."""
    deviation = _lock(deviation_id)
    if decision not in (Deviation.Review.ACKNOWLEDGED, Deviation.Review.DISPUTED):
        raise NotPermitted(_("Unknown choice: %(branch)s.") % {"branch": decision})
    if not may_review(user, deviation):
        raise NotPermitted(_("Only a supervisor of this step may review its deviations."))
    if deviation.attributed_to_id == user.pk:
        raise NotPermitted(_("You may not review your own deviation."))
    if deviation.explained_at is None:
        raise NotExplainedYet()
    note = note.strip()
    if decision == Deviation.Review.DISPUTED and not note:
        raise ReasonRequired()
    before = {"review": deviation.review}
    deviation.review = decision
    deviation.review_note = note
    deviation.reviewed_by = user
    deviation.reviewed_at = clock.now()
    deviation.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
    record_event(
        action="workflow.deviation_reviewed",
        actor=user,
        object_type="workflow.deviation",
        object_id=deviation.pk,
        before=before,
        after={"review": decision},
        note=note,
        ip=ip,
    )
    if deviation.attributed_to is not None:
        title = (
            _("Your explanation was acknowledged")
            if decision == Deviation.Review.ACKNOWLEDGED
            else _("Your explanation was disputed")
        )
        notify_about(
            deviation.case,
            [deviation.attributed_to],
            kind="deviation_review",
            title=title,
            body=note or deviation.case.title,
        )
    return deviation


# --- reads ------------------------------------------------------------------------------------


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


def deviation_list(filters: DeviationFilter) -> QuerySet[Deviation]:
    qs = Deviation.objects.select_related(
        "case", "step_run", "attributed_to", "reviewed_by"
    ).order_by("-created_at", "-pk")
    if filters.start:
        qs = qs.filter(created_at__date__gte=filters.start)
    if filters.end:
        qs = qs.filter(created_at__date__lte=filters.end)
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

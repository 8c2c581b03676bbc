"""Deviations (penyimpangan): which missing items are new facts worth a record, then — once
recorded — the executor explains, the supervisor acknowledges or disputes. Each write is one
transaction with its audit event and an engine signal (``deviation_explained``,
``deviation_reviewed``; ``notify`` tells the people concerned). The reads for the deviation
pages live in ``workflow.selectors``.

A missing artifact is one fact (see docs/deadlines.md): it is recorded once, at the step and
against the person where it first went missing. Later steps that merely pass it on (their
kelengkapan lists it) see it as already known; a later step that was to *produce* it (its output
lists it and its kelengkapan does not) records its own, once per episode. When a step finds the
artifact again, the episode ends; missing again later is a new fact.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from warta.audit.services import record_event
from warta.audit.snapshots import snapshot
from warta.sop.definition import Step
from warta.workflow import memo, signals
from warta.workflow.errors import NotPermitted, ReasonRequired, WorkflowError
from warta.workflow.models import Deviation
from warta.workflow.selectors import supervises

MIN_EXPLANATION = 10


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
    return bool(
        user.is_superuser
        or supervises(
            deviation.case.sop.definition(), user, deviation.step_run.role_id, timezone.now()
        )
    )


@memo.transition
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
    before = snapshot(deviation, ["explanation", "review"])
    deviation.explanation = explanation
    deviation.explained_at = timezone.now()
    deviation.review = Deviation.Review.PENDING
    deviation.save(update_fields=["explanation", "explained_at", "review"])
    record_event(
        action="workflow.deviation_explained",
        actor=user,
        object_type="workflow.deviation",
        object_id=deviation.pk,
        before=before,
        after=snapshot(deviation, ["explanation"]),
        ip=ip,
    )
    signals.deviation_explained.send(
        sender=Deviation, deviation=deviation, case=deviation.case, user=user
    )
    return deviation


@memo.transition
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
    before = snapshot(deviation, ["review"])
    deviation.review = decision
    deviation.review_note = note
    deviation.reviewed_by = user
    deviation.reviewed_at = timezone.now()
    deviation.save(update_fields=["review", "review_note", "reviewed_by", "reviewed_at"])
    record_event(
        action="workflow.deviation_reviewed",
        actor=user,
        object_type="workflow.deviation",
        object_id=deviation.pk,
        before=before,
        after=snapshot(deviation, ["review"]),
        note=note,
        ip=ip,
    )
    signals.deviation_reviewed.send(
        sender=Deviation,
        deviation=deviation,
        case=deviation.case,
        user=user,
        decision=decision,
        note=note,
    )
    return deviation

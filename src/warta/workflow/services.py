"""The engine's writes: each public function is one state change in one transaction, with
exactly one audit event per transition and nothing changed when it refuses.

Concurrency: every action names the step run the user saw (``step_run_id``). The case row is
locked (``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction serialises writers), then
the step run is checked to still be open, so of two people acting on the same step at the same
moment exactly one succeeds and the other gets ``AlreadyProcessed`` naming who did it and when.

Each public write is a ``memo.transition``: its transaction asks the calendar and a person's role
once, and its audit events join the chain together at the end of the body, so the chain head
(the one row every append locks until commit) is held only for the last moment of the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from warta.accounts.selectors import Capacity, capacity_for
from warta.audit.services import record_event
from warta.audit.snapshots import snapshot
from warta.sop.definition import Branch, SopDefinition, Step
from warta.workflow import memo, signals
from warta.workflow.deviations import artifact_deviations_due, listed_artifacts
from warta.workflow.errors import (
    AlreadyProcessed,
    CaseAlreadyOpen,
    CaseClosed,
    InvalidBranch,
    NotPermitted,
    ReasonRequired,
    RequirementsMissing,
    WrongStepKind,
)
from warta.workflow.models import Case, Deviation, StepRun
from warta.workflow.registry import artifacts_present
from warta.workflow.selectors import open_missing_episodes, supervisor_capacity
from warta.worktime.zone import format_instant

AUTOMATIC_CHAIN_LIMIT = 50  # a valid definition never chains this many automatic steps


def _user_name(user: Any) -> str:
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


# What the audit events of a case record of its state (before and after).
CASE_STATE = ("status", "current_step", "end_state", "revision_round", "lock_version")


def _due_at(started_at: dt.datetime, step: Step) -> dt.datetime | None:
    if step.time is None:
        return None
    return memo.calendar().add(started_at, step.time)


def _capacity(user: Any, role_id: str, now: dt.datetime) -> Capacity | None:
    """``capacity_for``, asked once per transition for a person, role and instant."""
    return memo.remember(
        ("capacity", user.pk, role_id, now), lambda: capacity_for(user, role_id, at=now)
    )


def _principal_of(run: StepRun) -> Any:
    """The official a Plh/Plt acted for when finishing ``run`` (None for a vacant post): the
    delegation of the run's role to its finisher that was in force at that moment."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from warta.accounts.models import Delegation
    from warta.accounts.selectors import local_date

    day = local_date(run.finished_at)
    delegation = (
        Delegation.objects.filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__gt=run.finished_at),
            acting_id=run.finished_by_id,
            role__code=run.role_id,
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .order_by("starts_on", "pk")
        .first()
    )
    if delegation is None or delegation.principal_id is None:
        return None
    return get_user_model().objects.filter(pk=delegation.principal_id, is_active=True).first()


def _previous_performer(case: Case, role_id: str, now: dt.datetime) -> Any:
    """Who last acted in this role in this case: the natural assignee when the role returns.

    Someone who acted as Plh/Plt is never the assignee — their delegation may end before the
    step comes back — but the official they acted for is; with no such official (a vacant
    post, or someone who no longer holds the role) the step waits in the role's shared queue."""
    run = (
        case.step_runs.filter(role_id=role_id, finished_by__isnull=False, automatic=False)
        .select_related("finished_by")
        .order_by("-seq")
        .first()
    )
    if run is None:
        return None
    person = _principal_of(run) if run.acting_for else run.finished_by
    if person is None:
        return None
    capacity = _capacity(person, role_id, now)
    if capacity is None or capacity.acting_for:  # gone from the role, or only acting in it now
        return None
    return person


def _performed_steps(case: Case, user: Any) -> set[str]:
    return set(
        case.step_runs.filter(finished_by=user, finished_at__isnull=False).values_list(
            "step_id", flat=True
        )
    )


def _excluded_by_separation(definition: SopDefinition, case: Case, user: Any, step_id: str) -> bool:
    return any(
        step_id in definition.excluded_steps_for(done) for done in _performed_steps(case, user)
    )


def _open_step(
    *, case: Case, definition: SopDefinition, step: Step, now: dt.datetime, actor: Any
) -> StepRun:
    """Open ``step`` (and run through automatic and end steps). Returns the last run opened."""
    seq = case.step_runs.order_by("-seq").values_list("seq", flat=True).first() or 0
    for _hop in range(AUTOMATIC_CHAIN_LIMIT):
        seq += 1
        if step.is_end:
            case.status = {
                "completed": Case.Status.COMPLETED,
                "refused": Case.Status.REFUSED,
                "cancelled": Case.Status.CANCELLED,
            }[step.result or "completed"]
            case.current_step = ""
            case.end_state = step.id
            case.ended_at = now
            return case.step_runs.order_by("-seq").first()
        assignee = _previous_performer(case, step.actor or "", now)
        if assignee is not None and _excluded_by_separation(definition, case, assignee, step.id):
            assignee = None
        run = StepRun.objects.create(
            case=case,
            seq=seq,
            step_id=step.id,
            step_name=step.name,
            step_number=step.number,
            kind=step.kind,
            role_id=step.actor or "",
            assignee=assignee,
            revision_round=case.revision_round,
            started_at=now,
            time_standard=step.time,
            due_at=_due_at(now, step),
        )
        case.current_step = step.id
        if step.kind != "automatic":
            signals.step_started.send(sender=StepRun, step_run=run, case=case)
            return run
        # A relay step: completed by the system on entry, attributed to the person whose action
        # triggered it when they hold the step's role.
        capacity = _capacity(actor, step.actor or "", now) if actor is not None else None
        performer = actor if capacity is not None else None
        run.finished_at = now
        run.finished_by = performer
        run.acting_for = capacity.acting_for if capacity is not None else ""
        run.outcome = "completed"
        run.automatic = True
        run.save(update_fields=["finished_at", "finished_by", "acting_for", "outcome", "automatic"])
        record_event(
            action="workflow.step_auto_completed",
            actor=performer,
            acting_for=run.acting_for,
            object_type="workflow.case",
            object_id=case.pk,
            after={"step": step.id, "step_run": run.pk},
        )
        signals.step_finished.send(sender=StepRun, step_run=run, case=case)
        step = definition.step(step.next or "")
    raise RuntimeError("automatic steps chain too long")


@memo.transition
def start_case(
    *,
    sop: Any,
    subject_type: str,
    subject_id: str | int,
    title: str,
    started_by: Any,
    ip: str = "",
) -> Case:
    """Start a case of ``sop`` (a ``SopVersion``) for a subject; the starter must hold the role of
    the SOP's first step and becomes its assignee."""
    definition = sop.definition()
    first = definition.step(definition.start)
    now = timezone.now()
    capacity = _capacity(started_by, first.actor or "", now)
    if capacity is None:
        raise NotPermitted(
            _("Only %(role)s may start this SOP.") % {"role": definition.role(first.actor).name}
        )
    if Case.objects.filter(
        subject_type=subject_type, subject_id=str(subject_id), status=Case.Status.OPEN
    ).exists():
        raise CaseAlreadyOpen()
    case = Case.objects.create(
        sop=sop,
        subject_type=subject_type,
        subject_id=str(subject_id),
        title=title,
        started_at=now,
        started_by=started_by,
    )
    run = _open_step(case=case, definition=definition, step=first, now=now, actor=started_by)
    if run.step_id == first.id and run.assignee_id is None:
        # A Plh/Plt starts on behalf of the official they stand in for: the step is that
        # official's (the Plh acts on it while the delegation lasts), so it stays reachable
        # after the delegation ends.
        run.assignee = _standing_assignee(started_by, capacity)
        run.save(update_fields=["assignee"])
    case.save()
    record_event(
        action="workflow.case_started",
        actor=started_by,
        acting_for=capacity.acting_for,
        object_type="workflow.case",
        object_id=case.pk,
        after=snapshot(case, CASE_STATE, sop=sop.code, sop_version=sop.version, title=title),
        ip=ip,
    )
    return case


def _lock_case(case_id: int) -> Case:
    """Lock the case row — and only it — for the rest of the transaction.

    ``of=("self",)`` keeps the joined SOP version row unlocked: it is shared by every case, and
    a new case's foreign-key check needs it (locking it deadlocked against the audit chain head
    on PostgreSQL). ``no_key`` (FOR NO KEY UPDATE) still excludes a second writer of the case but
    lets inserts that merely reference it (step runs, deviations) check their key without
    waiting. The lock order is documented in ``docs/engine.md``.
    """
    return (
        Case.objects.select_for_update(of=("self",), no_key=True)
        .select_related("sop")
        .get(pk=case_id)
    )


def _lock_case_and_step(case_id: int, step_run_id: int) -> tuple[Case, StepRun]:
    case = _lock_case(case_id)
    run = StepRun.objects.select_related("finished_by").get(pk=step_run_id, case=case)
    if run.finished_at is not None:
        raise AlreadyProcessed(_user_name(run.finished_by), run.finished_at)
    if not case.is_open:
        raise CaseClosed(case.get_status_display())
    return case, run


def _check_actor(
    *, definition: SopDefinition, case: Case, run: StepRun, user: Any, now: dt.datetime
) -> Capacity:
    role = definition.role(run.role_id)
    capacity = _capacity(user, run.role_id, now)
    if capacity is None:
        raise NotPermitted(_("Only %(role)s may carry out this step.") % {"role": role.name})
    if run.assignee_id not in (None, user.pk, capacity.principal_id):
        raise NotPermitted(
            _("This step is assigned to %(name)s.") % {"name": _user_name(run.assignee)}
        )
    if _excluded_by_separation(definition, case, user, run.step_id):
        raise NotPermitted(
            _(
                "You may not carry out this step for an item you worked on yourself (separation "
                "of duties)."
            )
        )
    return capacity


def check_actor(*, case: Case, run: StepRun, user: Any) -> Capacity:
    """Raise ``NotPermitted`` unless ``user`` may act on the open ``run`` now. Pages call this to
    decide what to show; the actions themselves check again under the case lock."""
    if not run.is_open or not case.is_open:
        raise NotPermitted(_("This step is no longer open."))
    return _check_actor(
        definition=case.sop.definition(), case=case, run=run, user=user, now=timezone.now()
    )


def _check_requirements(
    *,
    definition: SopDefinition,
    case: Case,
    step: Step,
    confirmed: set[str],
) -> list[tuple[str, str]]:
    """Block on missing blocking items; return (kind, artifact) for missing tolerated ones."""
    blocking: list[str] = []
    tolerated: list[tuple[str, str]] = []
    listed = (("kelengkapan", step.kelengkapan), ("output", step.output))
    answers = artifacts_present(
        (definition.artifact(item.artifact) for _kind, quality in listed for item in quality.items),
        case,
    )
    for kind, quality in listed:
        for item in quality.items:
            present = answers[item.artifact]
            if present is None:
                present = item.artifact in confirmed
            if present:
                continue
            if item.on_missing == "block":
                name = definition.artifact(item.artifact).name
                if name not in blocking:
                    blocking.append(name)
            elif (kind, item.artifact) not in tolerated:
                tolerated.append((kind, item.artifact))
    if blocking:
        raise RequirementsMissing(blocking)
    return tolerated


def _artifacts_found(
    *, definition: SopDefinition, case: Case, run: StepRun, missing: Iterable[tuple[str, str]]
) -> list[tuple[str, str]] | None:
    """Set what the finishing ``run`` found (saved with it) and return the (kind, artifact) of
    the missing-artifact deviations due: only new facts (see
    ``deviations.artifact_deviations_due``). None when the step's outcome checks nothing."""
    step = definition.step(run.step_id)
    branch = step.branch(run.outcome) if step.kind == "decision" else None
    if not (
        step.kind == "manual"
        or (branch is not None and _branch_checks_requirements(definition, branch))
    ):
        return None
    # What the step found is kept, so that a later step knows whether a missing artifact is
    # already on record or missing again after it was provided.
    missing_ids = {artifact_id for _kind, artifact_id in missing}
    episodes = open_missing_episodes(case, before_seq=run.seq)
    run.artifacts_found = {
        artifact_id: artifact_id not in missing_ids for artifact_id in listed_artifacts(step)
    }
    return artifact_deviations_due(step=step, missing=missing_ids, episodes=episodes)


def _record_deviations(
    *,
    definition: SopDefinition,
    case: Case,
    run: StepRun,
    executor: Any,
    now: dt.datetime,
    due: list[tuple[str, str]] | None,
) -> list[Deviation]:
    """Record what ``run`` deviated in: the missing artifacts ``due`` (see
    :func:`_artifacts_found`), and a late finish."""
    deviations = []
    if due:
        for kind, artifact_id in due:
            item = definition.artifact(artifact_id).name
            detail = (
                _("%(item)s missing when the step was finished.")
                if kind == Deviation.Kind.KELENGKAPAN
                else _("%(item)s not produced by this step.")
            ) % {"item": item}
            deviation = Deviation.objects.create(
                case=case,
                step_run=run,
                kind=kind,
                subject=artifact_id,
                detail=detail,
                attributed_to=executor,
                created_at=now,
            )
            signals.deviation_recorded.send(sender=Deviation, deviation=deviation, case=case)
            deviations.append(deviation)
    if run.due_at is not None and now > run.due_at:
        deviation, created = Deviation.objects.get_or_create(
            step_run=run,
            kind=Deviation.Kind.WAKTU,
            subject="",
            defaults={
                "case": case,
                "detail": _("Finished after the due time %(due)s.")
                % {"due": format_instant(run.due_at)},
                "attributed_to": executor,
                "created_at": now,
            },
        )
        if deviation.attributed_to_id is None:
            # Flagged late while nobody was assigned: it is the finisher's to explain.
            deviation.attributed_to = executor
            deviation.save(update_fields=["attributed_to"])
        if created:
            signals.deviation_recorded.send(sender=Deviation, deviation=deviation, case=case)
        deviations.append(deviation)
    return deviations


def _finish(
    *,
    case: Case,
    run: StepRun,
    definition: SopDefinition,
    user: Any,
    capacity: Capacity,
    outcome: str,
    note: str,
    next_step_id: str,
    revision: bool,
    now: dt.datetime,
    missing: list[tuple[str, str]],
    action: str,
    ip: str,
) -> Case:
    before = snapshot(case, CASE_STATE)
    run.finished_at = now
    run.finished_by = user
    run.acting_for = capacity.acting_for
    run.outcome = outcome
    run.note = note
    due = _artifacts_found(definition=definition, case=case, run=run, missing=missing)
    fields = ["finished_at", "finished_by", "acting_for", "outcome", "note"]
    run.save(update_fields=fields if due is None else [*fields, "artifacts_found"])
    deviations = _record_deviations(
        definition=definition, case=case, run=run, executor=user, now=now, due=due
    )
    signals.step_finished.send(sender=StepRun, step_run=run, case=case)
    if revision:
        case.revision_round += 1
    case.lock_version += 1
    # The event for this transition comes before any automatic step it triggers.
    event_after = {
        "step_run": run.pk,
        "step": run.step_id,
        "outcome": outcome,
        "next": next_step_id,
    }
    record_event(
        action=action,
        actor=user,
        acting_for=capacity.acting_for,
        object_type="workflow.case",
        object_id=case.pk,
        before=before,
        after={**event_after, "deviations": [d.kind for d in deviations]},
        note=note,
        ip=ip,
    )
    _open_step(
        case=case, definition=definition, step=definition.step(next_step_id), now=now, actor=user
    )
    case.save()
    if not case.is_open:
        signals.case_ended.send(sender=Case, case=case)
    return case


@memo.transition
def complete_step(
    *,
    case_id: int,
    step_run_id: int,
    user: Any,
    note: str = "",
    confirmed: Iterable[str] = (),
    ip: str = "",
) -> Case:
    """Finish a manual step and move on to the step after it."""
    case, run = _lock_case_and_step(case_id, step_run_id)
    definition = case.sop.definition()
    step = definition.step(run.step_id)
    if step.kind != "manual":
        raise WrongStepKind(_("This step needs a decision, not completion."))
    now = timezone.now()
    capacity = _check_actor(definition=definition, case=case, run=run, user=user, now=now)
    missing = _check_requirements(
        definition=definition, case=case, step=step, confirmed=set(confirmed)
    )
    return _finish(
        case=case,
        run=run,
        definition=definition,
        user=user,
        capacity=capacity,
        outcome="completed",
        note=note,
        next_step_id=step.next or "",
        revision=False,
        now=now,
        missing=missing,
        action="workflow.step_completed",
        ip=ip,
    )


@memo.transition
def check_completable(
    *, case_id: int, step_run_id: int, user: Any, confirmed: Iterable[str] = ()
) -> None:
    """Raise what ``complete_step`` would raise now, without finishing the step: for a step
    whose completion waits on work done elsewhere (publishing to the channels)."""
    case, run = _lock_case_and_step(case_id, step_run_id)
    definition = case.sop.definition()
    step = definition.step(run.step_id)
    if step.kind != "manual":
        raise WrongStepKind(_("This step needs a decision, not completion."))
    _check_actor(definition=definition, case=case, run=run, user=user, now=timezone.now())
    _check_requirements(definition=definition, case=case, step=step, confirmed=set(confirmed))


def _branch_checks_requirements(definition: SopDefinition, branch: Branch) -> bool:
    """Returning or refusing does not need the items complete; going forward does."""
    if branch.revision:
        return False
    target = definition.step(branch.next)
    return not (target.is_end and target.result in ("refused", "cancelled"))


@memo.transition
def decide(
    *,
    case_id: int,
    step_run_id: int,
    user: Any,
    branch: str,
    reason: str = "",
    confirmed: Iterable[str] = (),
    ip: str = "",
) -> Case:
    """Take one named branch of a decision step (approve, return with a reason, refuse …)."""
    case, run = _lock_case_and_step(case_id, step_run_id)
    definition = case.sop.definition()
    step = definition.step(run.step_id)
    if step.kind != "decision":
        raise WrongStepKind(_("This step is not a decision."))
    chosen = step.branch(branch)
    if chosen is None:
        raise InvalidBranch(_("Unknown choice: %(branch)s.") % {"branch": branch})
    reason = reason.strip()
    if chosen.reason_required and not reason:
        raise ReasonRequired()
    now = timezone.now()
    capacity = _check_actor(definition=definition, case=case, run=run, user=user, now=now)
    missing: list[tuple[str, str]] = []
    if _branch_checks_requirements(definition, chosen):
        missing = _check_requirements(
            definition=definition, case=case, step=step, confirmed=set(confirmed)
        )
    return _finish(
        case=case,
        run=run,
        definition=definition,
        user=user,
        capacity=capacity,
        outcome=chosen.id,
        note=reason,
        next_step_id=chosen.next,
        revision=chosen.revision,
        now=now,
        missing=missing,
        action="workflow.step_decided",
        ip=ip,
    )


def _standing_assignee(person: Any, capacity: Capacity) -> Any:
    """Whom to assign a step meant for ``person``: themselves when they hold the role in their
    own name; the official they stand in for as Plh/Plt (None: the role's queue)."""
    if not capacity.acting_for:
        return person
    if capacity.principal_id is None:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=capacity.principal_id, is_active=True).first()


@memo.transition
def reassign(
    *, case_id: int, step_run_id: int, user: Any, assignee: Any, reason: str, ip: str = ""
) -> StepRun:
    """Move an open step to another holder of its role; only a supervisor (or an admin) may."""
    case, run = _lock_case_and_step(case_id, step_run_id)
    definition = case.sop.definition()
    now = timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    capacity = supervisor_capacity(definition, user, run.role_id, now)
    if not (user.is_superuser or capacity is not None):
        raise NotPermitted(_("Only a supervisor may reassign this step."))
    assignee_capacity = capacity_for(assignee, run.role_id, at=now)
    if assignee_capacity is None:
        raise NotPermitted(
            _("%(name)s does not hold the role %(role)s.")
            % {"name": _user_name(assignee), "role": definition.role(run.role_id).name}
        )
    if _excluded_by_separation(definition, case, assignee, run.step_id):
        raise NotPermitted(
            _("%(name)s worked on this item and may not carry out this step.")
            % {"name": _user_name(assignee)}
        )
    before = snapshot(run, ["assignee"])
    # A Plh/Plt may act on whatever is assigned to the official they stand in for, so the step
    # goes to that official (or, for a vacant post, to the role's queue): it stays reachable
    # when the delegation ends.
    run.assignee = _standing_assignee(assignee, assignee_capacity)
    run.save(update_fields=["assignee"])
    case.lock_version += 1
    case.save(update_fields=["lock_version"])
    record_event(
        action="workflow.step_reassigned",
        actor=user,
        acting_for=capacity.acting_for if capacity is not None else "",
        object_type="workflow.case",
        object_id=case.pk,
        before=before,
        after=snapshot(run, ["assignee"], chosen=assignee.pk, step_run=run.pk),
        note=reason,
        ip=ip,
    )
    return run


def can_reopen(case: Case, user: Any) -> bool:
    """Whether ``user`` may start a correction of ``case`` now (``reopen_case`` checks again)."""
    if case.status != Case.Status.COMPLETED:
        return False
    step = case.sop.definition().correction_step()
    return step is not None and capacity_for(user, step.actor or "", at=timezone.now()) is not None


@memo.transition
def reopen_case(*, case_id: int, user: Any, reason: str, ip: str = "") -> Case:
    """Run a completed case again for a correction: a new revision round opens at the
    definition's ``correction_step`` (where its revision loop returns to), for ``user`` who must
    hold that step's role. The whole SOP follows again; the reason is kept in the audit trail."""
    case = _lock_case(case_id)
    if case.status != Case.Status.COMPLETED:
        raise NotPermitted(_("Only a completed item can be corrected."))
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    definition = case.sop.definition()
    step = definition.correction_step()
    if step is None:
        raise NotPermitted(_("This SOP has no revision step to run a correction through."))
    now = timezone.now()
    if capacity_for(user, step.actor or "", at=now) is None:
        raise NotPermitted(
            _("Only %(role)s may start a correction.")
            % {"role": definition.role(step.actor or "").name}
        )
    before = snapshot(case, CASE_STATE)
    case.status = Case.Status.OPEN
    case.end_state = ""
    case.ended_at = None
    case.revision_round += 1
    case.lock_version += 1
    record_event(
        action="workflow.case_reopened",
        actor=user,
        object_type="workflow.case",
        object_id=case.pk,
        before=before,
        after={"step": step.id, "revision_round": case.revision_round},
        note=reason,
        ip=ip,
    )
    _open_step(case=case, definition=definition, step=step, now=now, actor=user)
    case.save()
    return case


@memo.transition
def cancel_case(*, case_id: int, user: Any, reason: str, ip: str = "") -> Case:
    """Stop a case for good. Allowed to an admin, to a supervisor of the current step's role, or
    to the starter while nothing but the first step has happened."""
    case = _lock_case(case_id)
    if not case.is_open:
        raise CaseClosed(case.get_status_display())
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    definition = case.sop.definition()
    now = timezone.now()
    run = case.step_runs.get(finished_at__isnull=True)
    only_first_step = case.step_runs.count() == 1
    capacity = supervisor_capacity(definition, user, run.role_id, now)
    allowed = (
        user.is_superuser
        or capacity is not None
        or (only_first_step and case.started_by_id == user.pk)
    )
    if not allowed:
        raise NotPermitted(_("You may not cancel this item."))
    before = snapshot(case, CASE_STATE)
    run.finished_at = now
    run.finished_by = user
    run.acting_for = capacity.acting_for if capacity is not None else ""
    run.outcome = "cancelled"
    run.note = reason
    run.save(update_fields=["finished_at", "finished_by", "acting_for", "outcome", "note"])
    case.status = Case.Status.CANCELLED
    case.current_step = ""
    case.ended_at = now
    case.lock_version += 1
    case.save()
    record_event(
        action="workflow.case_cancelled",
        actor=user,
        acting_for=capacity.acting_for if capacity is not None else "",
        object_type="workflow.case",
        object_id=case.pk,
        before=before,
        after=snapshot(case, CASE_STATE),
        note=reason,
        ip=ip,
    )
    signals.step_finished.send(sender=StepRun, step_run=run, case=case)
    signals.case_ended.send(sender=Case, case=case)
    return case

"""Time standards that bite: reminders before a step is due, the late flag at the due time,
escalation after a further while. Scheduled when a step starts (tasks with ``run_after``, no
polling); each check fires at most once and is ignored when the step finished in time.

This module only schedules and fires the checks and records what a check establishes (the late
flag: a time deviation and an audit event; escalation: an audit event). It tells nobody: each
firing sends an engine signal (``step_reminder``, ``step_late`` — besides
``deviation_recorded`` —, ``step_escalated``) and the ``notify`` app decides whom to tell and
in which words.

Configuration (working time on the calendar): ``WARTA_REMINDER_PERCENTS`` (default "50,90":
reminders when that share of the time standard is used up) and ``WARTA_ESCALATE_AFTER``
(default "1h": escalation that long after the due time).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from warta.audit.services import record_event
from warta.sop.durations import parse_duration
from warta.workflow import memo, signals
from warta.workflow.models import Case, Deviation, StepAlert, StepRun
from warta.workflow.selectors import escalation_roles
from warta.worktime.zone import format_instant

logger = logging.getLogger(__name__)


def reminder_percents() -> list[int]:
    raw = getattr(settings, "WARTA_REMINDER_PERCENTS", "50,90")
    return sorted({int(p) for p in str(raw).split(",") if p.strip() and 0 < int(p) < 100})


def escalate_after() -> dt.timedelta:
    return parse_duration(getattr(settings, "WARTA_ESCALATE_AFTER", "1h"))


def schedule(run: StepRun) -> list[StepAlert]:
    """Create the step's alerts and enqueue their checks (inside the step-start transaction)."""
    from warta.workflow.tasks import fire_step_alert

    if run.time_standard is None or run.due_at is None:
        return []
    calendar = memo.calendar()
    planned = [
        (StepAlert.Kind.REMINDER, pct, calendar.add(run.started_at, run.time_standard * pct / 100))
        for pct in reminder_percents()
    ]
    planned.append((StepAlert.Kind.LATE, 0, run.due_at))
    planned.append((StepAlert.Kind.ESCALATION, 0, calendar.add(run.due_at, escalate_after())))
    # One insert for the alerts (both databases return the new keys), then one task each.
    alerts = StepAlert.objects.bulk_create(
        [
            StepAlert(step_run=run, kind=kind, ordinal=ordinal, fire_at=fire_at)
            for kind, ordinal, fire_at in planned
        ]
    )
    for alert in alerts:
        fire_step_alert.using(run_after=alert.fire_at).enqueue(alert.pk)
    return alerts


def on_step_started(sender: Any, step_run: StepRun, case: Case, **kwargs: Any) -> None:
    """Receiver of ``step_started``: schedule the step's checks."""
    schedule(step_run)


@memo.transition
def fire(alert_id: int) -> str:
    """Run one scheduled check. Returns what happened (for the task result and tests).

    Takes its locks in the documented order (``docs/engine.md``): the case first, as every
    transition does, then the alert. A person's decision on the same step therefore either
    finished before (the check finds the step done and is skipped) or waits until the check has
    committed (and finds its late flag); both never record the same fact side by side. The step's
    state is read only under the case lock.
    """
    from warta.workflow.services import _lock_case

    case_id = (
        StepAlert.objects.filter(pk=alert_id).values_list("step_run__case_id", flat=True).first()
    )
    if case_id is None:
        return "ignored"
    try:
        case = _lock_case(case_id)
    except Case.DoesNotExist:
        return "ignored"
    alert = (
        StepAlert.objects.select_for_update(of=("self",), no_key=True)
        .select_related("step_run", "step_run__assignee")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.state != StepAlert.State.SCHEDULED:
        return "ignored"
    run, now = alert.step_run, timezone.now()
    run.case = case
    if run.finished_at is not None or run.case.status != Case.Status.OPEN:
        alert.state, alert.handled_at = StepAlert.State.SKIPPED, now
        alert.save(update_fields=["state", "handled_at"])
        return "skipped"
    if now < alert.fire_at:  # a worker with a clock behind the scheduler's: try again later
        from warta.workflow.tasks import fire_step_alert

        fire_step_alert.using(run_after=alert.fire_at).enqueue(alert.pk)
        return "early"
    with override(settings.LANGUAGE_CODE):
        handler = {
            StepAlert.Kind.REMINDER: _remind,
            StepAlert.Kind.LATE: _flag_late,
            StepAlert.Kind.ESCALATION: _escalate,
        }[alert.kind]
        handler(alert, run, now)
    alert.state, alert.handled_at = StepAlert.State.FIRED, now
    alert.save(update_fields=["state", "handled_at"])
    return "fired"


def _remind(alert: StepAlert, run: StepRun, now: dt.datetime) -> None:
    signals.step_reminder.send(sender=StepAlert, step_run=run, case=run.case, alert=alert)


def _flag_late(alert: StepAlert, run: StepRun, now: dt.datetime) -> None:
    deviation, created = Deviation.objects.get_or_create(
        step_run=run,
        kind=Deviation.Kind.WAKTU,
        subject="",
        defaults={
            "case": run.case,
            "detail": _("Not finished by the due time %(due)s.")
            % {"due": format_instant(run.due_at)},
            "attributed_to": run.assignee,
            "created_at": now,
        },
    )
    record_event(
        action="workflow.step_late",
        actor=None,
        object_type="workflow.case",
        object_id=run.case_id,
        after={
            "step_run": run.pk,
            "step": run.step_id,
            "due_at": run.due_at.isoformat(),
            "deviation": deviation.pk,
        },
    )
    if created:
        signals.deviation_recorded.send(sender=Deviation, deviation=deviation, case=run.case)
    signals.step_late.send(
        sender=StepAlert, step_run=run, case=run.case, alert=alert, deviation=deviation
    )


def _escalate(alert: StepAlert, run: StepRun, now: dt.datetime) -> None:
    target_roles = escalation_roles(run.case.sop.definition(), run.role_id)
    record_event(
        action="workflow.step_escalated",
        actor=None,
        object_type="workflow.case",
        object_id=run.case_id,
        after={"step_run": run.pk, "step": run.step_id, "to_roles": target_roles},
    )
    signals.step_escalated.send(
        sender=StepAlert, step_run=run, case=run.case, alert=alert, to_roles=target_roles
    )

"""Time standards that bite: reminders before a step is due, the late flag at the due time,
escalation after a further while. Scheduled when a step starts (tasks with ``run_after``, no
polling); each check fires at most once and is ignored when the step finished in time.

Configuration (working time on the calendar): ``WARTA_REMINDER_PERCENTS`` (default "50,90":
reminders when that share of the time standard is used up) and ``WARTA_ESCALATE_AFTER``
(default "1h": escalation that long after the due time).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from django.utils.translation import override

from warta.accounts.selectors import users_in_role
from warta.audit.services import record_event
from warta.notify import texts
from warta.sop.durations import parse_duration
from warta.workflow import clock, signals
from warta.workflow.calendar_config import get_calendar
from warta.workflow.errors import format_instant
from warta.workflow.models import Case, Deviation, StepAlert, StepRun
from warta.workflow.registry import hooks_for

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
    calendar = get_calendar()
    planned = [
        (StepAlert.Kind.REMINDER, pct, calendar.add(run.started_at, run.time_standard * pct / 100))
        for pct in reminder_percents()
    ]
    planned.append((StepAlert.Kind.LATE, 0, run.due_at))
    planned.append((StepAlert.Kind.ESCALATION, 0, calendar.add(run.due_at, escalate_after())))
    alerts = []
    for kind, ordinal, fire_at in planned:
        alert = StepAlert.objects.create(step_run=run, kind=kind, ordinal=ordinal, fire_at=fire_at)
        fire_step_alert.using(run_after=fire_at).enqueue(alert.pk)
        alerts.append(alert)
    return alerts


def announce(run: StepRun) -> None:
    """Tell the step's executor (or every holder of its role) that a task waits for them —
    except whoever's action opened it (they know; e.g. the writer going from note to edit)."""
    if run.seq == 1:
        return
    previous = run.case.step_runs.filter(seq__lt=run.seq).order_by("-seq").first()
    actor_id = previous.finished_by_id if previous is not None else None
    recipients = [person for person in _executors(run) if person.pk != actor_id]
    if not recipients:
        return
    with override(settings.LANGUAGE_CODE):
        body = _("Waiting for you since %(start)s.") % {"start": format_instant(run.started_at)}
        if run.due_at is not None:
            body += " " + _("Due at %(due)s.") % {"due": format_instant(run.due_at)}
        title = texts.step_title(**_subject(run))
        returned = _returned_by(run)
        if returned is not None:
            title = texts.returned_title(title=run.case.title)
            by = returned.finished_by
            body = (
                texts.returned_body(
                    by=texts.person_label(
                        name=by.get_full_name() or by.get_username(),
                        acting_for=returned.acting_for,
                    ),
                    at_step=_subject(returned)["step"],
                    note=returned.note,
                )
                + "\n\n"
                + body
            )
        notify_about(
            run.case, recipients, kind="task", title=title, body=body, key=f"task:{run.pk}"
        )


def _returned_by(run: StepRun) -> StepRun | None:
    """The decision that sent the case back for revision and so opened ``run``, if it was one."""
    decided = (
        run.case.step_runs.filter(seq__lt=run.seq, automatic=False, finished_by__isnull=False)
        .select_related("finished_by")
        .order_by("-seq")
        .first()
    )
    if decided is None or decided.revision_round >= run.revision_round:
        return None
    return decided


def on_step_started(sender: Any, step_run: StepRun, case: Case, **kwargs: Any) -> None:
    schedule(step_run)
    announce(step_run)


def _supervisor_roles(definition, role_id: str, levels: int) -> list[str]:
    """The role ``levels`` steps up the supervisor chain (1 = direct supervisor)."""
    current, found = role_id, []
    for _level in range(levels):
        current = definition.role(current).supervisor if current else None
        if not current:
            break
        found.append(current)
    return found


def _executors(run: StepRun) -> list[Any]:
    return [run.assignee] if run.assignee_id else list(users_in_role(run.role_id))


def _people(role_ids: list[str]) -> list[Any]:
    people: dict[int, Any] = {}
    for role_id in role_ids:
        for user in users_in_role(role_id):
            people[user.pk] = user
    return list(people.values())


def supervisors_of(definition, role_id: str) -> list[Any]:
    """The people holding the direct supervisor role of ``role_id``."""
    return _people(_supervisor_roles(definition, role_id, 1))


def url_for_case(case: Case) -> str:
    hooks = hooks_for(case.subject_type)
    url_for = getattr(hooks, "subject_url", None)
    url = url_for(case) if url_for is not None else ""
    return url or resolve_url(settings.LOGIN_REDIRECT_URL)


def notify_about(
    case: Case, recipients, *, kind: str, title: str, body: str, key: str = ""
) -> None:
    """Notify people about a case, linking to its subject's page (inside the caller's
    transaction; ``key`` makes a repeat a no-op)."""
    from warta.notify.services import notify

    notify(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=url_for_case(case),
        dedupe_key=key,
    )


@transaction.atomic
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
    run, now = alert.step_run, clock.now()
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


def _subject(run: StepRun) -> dict[str, str]:
    return {"step": f"{run.step_number}. {run.step_name}".lstrip(". "), "title": run.case.title}


def _remind(alert: StepAlert, run: StepRun, now: dt.datetime) -> None:
    notify_about(
        run.case,
        _executors(run),
        kind="reminder",
        title=texts.step_title(**_subject(run)),
        body=_("%(percent)s%% of the time standard is used up; the step is due at %(due)s.")
        % {"percent": alert.ordinal, "due": format_instant(run.due_at)},
        key=f"alert:{alert.pk}",
    )


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
    definition = run.case.sop.definition()
    supervisors = supervisors_of(definition, run.role_id)
    notify_about(
        run.case,
        [*_executors(run), *supervisors],
        kind="late",
        title=texts.step_title(**_subject(run)),
        body=_(
            "The step was due at %(due)s and is not finished. The delay is recorded as a "
            "deviation that the executor must explain."
        )
        % {"due": format_instant(run.due_at)},
        key=f"alert:{alert.pk}",
    )


def _escalate(alert: StepAlert, run: StepRun, now: dt.datetime) -> None:
    definition = run.case.sop.definition()
    chain = _supervisor_roles(definition, run.role_id, 2)
    target_roles = chain[1:] or chain[:1]
    record_event(
        action="workflow.step_escalated",
        actor=None,
        object_type="workflow.case",
        object_id=run.case_id,
        after={"step_run": run.pk, "step": run.step_id, "to_roles": target_roles},
    )
    notify_about(
        run.case,
        _people(target_roles),
        kind="escalation",
        title=texts.step_title(**_subject(run)),
        body=_("The step was due at %(due)s and is still not finished.")
        % {"due": format_instant(run.due_at)},
        key=f"alert:{alert.pk}",
    )

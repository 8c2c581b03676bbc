"""Who hears about what the engine does, and in which words.

The engine (``warta.workflow``) sends signals and tells nobody; each notifier below listens to
one of them, in the manner of ``wagtail.admin.mail``: it picks the recipients
(``get_recipients``), writes the title, body and link (``get_context``) and hands them to
:func:`warta.notify.services.notify` (``send``) — inside the transaction of the change, so a
rolled-back change notifies nobody. ``register()`` (called from ``NotifyConfig.ready()``)
registers the kinds these notifiers produce and connects them.

Signal → notifier (kind): recipients.

- ``step_started`` → :class:`NewTaskNotifier` (``task``): the assignee, else every holder of the
  step's role — never whoever's action opened it; nobody for a case's first step.
- ``step_reminder`` → :class:`ReminderNotifier` (``reminder``): the executor(s).
- ``step_late`` → :class:`LateNotifier` (``late``): the executor(s) and the holders of the
  direct supervisor role.
- ``step_escalated`` → :class:`EscalationNotifier` (``escalation``): the holders of the roles
  the step escalates to.
- ``deviation_explained`` → :class:`ExplanationNotifier` (``deviation``): the holders of the
  direct supervisor role of the step's role.
- ``deviation_reviewed`` → :class:`ReviewNotifier` (``deviation_review``): the person the
  deviation is attributed to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy, override

from warta.accounts.selectors import users_in_role
from warta.notify import services, texts
from warta.notify.kinds import register_kind
from warta.workflow import selectors as engine
from warta.workflow import signals
from warta.workflow.models import Deviation, StepRun
from warta.worktime.zone import format_instant


class Notifier:
    """One kind of notification about one engine event. Subclasses set ``kind`` and implement
    ``get_recipients`` and ``get_context``; the event's signal kwargs reach both."""

    kind: str = ""

    def get_recipients(self, **event: Any) -> list[Any]:
        raise NotImplementedError

    def get_context(self, **event: Any) -> dict[str, str]:
        """``title``, ``body``, ``url`` and (optionally) ``dedupe_key`` of the notification."""
        raise NotImplementedError

    def send(self, recipients: list[Any], context: dict[str, str]) -> list:
        return services.notify(recipients=recipients, kind=self.kind, **context)

    def __call__(self, sender: Any = None, **event: Any) -> list:
        event.pop("signal", None)
        with override(settings.LANGUAGE_CODE):
            recipients = self.get_recipients(**event)
            if not recipients:
                return []
            return self.send(recipients, self.get_context(**event))


# --- recipients --------------------------------------------------------------------------------


def executors(run: StepRun) -> list[Any]:
    """Who is to do the step: its assignee, or every holder of its role while unassigned."""
    return [run.assignee] if run.assignee_id else list(users_in_role(run.role_id))


def holders(role_ids: list[str]) -> list[Any]:
    """Everyone holding one of ``role_ids`` (each person once)."""
    people: dict[int, Any] = {}
    for role_id in role_ids:
        for user in users_in_role(role_id):
            people.setdefault(user.pk, user)
    return list(people.values())


def direct_supervisors(run: StepRun) -> list[Any]:
    """The holders of the direct supervisor role of the step's role."""
    return holders(engine.supervisor_roles(run.case.sop.definition(), run.role_id))


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _step(run: StepRun) -> str:
    return texts.step_label(number=run.step_number, name=run.step_name)


def _step_title(run: StepRun) -> str:
    return texts.step_title(step=_step(run), title=run.case.title)


# --- steps -------------------------------------------------------------------------------------


class NewTaskNotifier(Notifier):
    """A step opened: tell whoever is to do it that a task waits for them — except whoever's
    action opened it (they know; e.g. the writer going from notes to editing). A step reopened
    by a return for revision says so, by whom (as Plh. when acting) and with their note."""

    kind = "task"

    def get_recipients(self, *, step_run: StepRun, **event: Any) -> list[Any]:
        if step_run.seq == 1:
            return []  # the starter opened it
        previous = engine.previous_run(step_run)
        actor_id = previous.finished_by_id if previous is not None else None
        return [person for person in executors(step_run) if person.pk != actor_id]

    def get_context(self, *, step_run: StepRun, case: Any, **event: Any) -> dict[str, str]:
        body = texts.waiting_body(
            since=format_instant(step_run.started_at),
            due=format_instant(step_run.due_at) if step_run.due_at is not None else "",
        )
        title = _step_title(step_run)
        returned = engine.returned_by(step_run)
        if returned is not None:
            title = texts.returned_title(title=case.title)
            by = texts.person_label(
                name=_person(returned.finished_by), acting_for=returned.acting_for
            )
            body = (
                texts.returned_body(by=by, at_step=_step(returned), note=returned.note)
                + "\n\n"
                + body
            )
        return {
            "title": title,
            "body": body,
            "url": engine.case_url(case),
            "dedupe_key": f"task:{step_run.pk}",
        }


class AlertNotifier(Notifier):
    """A time-standard check fired on an open step (one notification per check)."""

    def get_recipients(self, *, step_run: StepRun, **event: Any) -> list[Any]:
        return executors(step_run)

    def get_body(self, *, step_run: StepRun, alert: Any, **event: Any) -> str:
        raise NotImplementedError

    def get_context(self, *, step_run: StepRun, alert: Any, **event: Any) -> dict[str, str]:
        return {
            "title": _step_title(step_run),
            "body": self.get_body(step_run=step_run, alert=alert, **event),
            "url": engine.case_url(step_run.case),
            "dedupe_key": f"alert:{alert.pk}",
        }


class ReminderNotifier(AlertNotifier):
    kind = "reminder"

    def get_body(self, *, step_run: StepRun, alert: Any, **event: Any) -> str:
        return texts.reminder_body(percent=alert.ordinal, due=format_instant(step_run.due_at))


class LateNotifier(AlertNotifier):
    kind = "late"

    def get_recipients(self, *, step_run: StepRun, **event: Any) -> list[Any]:
        return [*executors(step_run), *direct_supervisors(step_run)]

    def get_body(self, *, step_run: StepRun, **event: Any) -> str:
        return texts.late_body(due=format_instant(step_run.due_at))


class EscalationNotifier(AlertNotifier):
    kind = "escalation"

    def get_recipients(self, *, to_roles: list[str], **event: Any) -> list[Any]:
        return holders(to_roles)

    def get_body(self, *, step_run: StepRun, **event: Any) -> str:
        return texts.escalation_body(due=format_instant(step_run.due_at))


# --- deviations ----------------------------------------------------------------------------------


class ExplanationNotifier(Notifier):
    """The executor explained a deviation: the direct supervisors are to acknowledge or
    dispute it."""

    kind = "deviation"

    def get_recipients(self, *, deviation: Deviation, **event: Any) -> list[Any]:
        return direct_supervisors(deviation.step_run)

    def get_context(self, *, deviation: Deviation, user: Any, **event: Any) -> dict[str, str]:
        return {
            "title": texts.explained_title(step=_step(deviation.step_run)),
            "body": texts.explained_body(
                name=_person(user), kind=deviation.get_kind_display(), title=deviation.case.title
            ),
            "url": engine.case_url(deviation.case),
        }


class ReviewNotifier(Notifier):
    """A supervisor acknowledged or disputed an explanation: tell the person who gave it."""

    kind = "deviation_review"

    def get_recipients(self, *, deviation: Deviation, **event: Any) -> list[Any]:
        return [deviation.attributed_to] if deviation.attributed_to is not None else []

    def get_context(
        self, *, deviation: Deviation, decision: str, note: str, **event: Any
    ) -> dict[str, str]:
        return {
            "title": texts.reviewed_title(acknowledged=decision == Deviation.Review.ACKNOWLEDGED),
            "body": note or deviation.case.title,
            "url": engine.case_url(deviation.case),
        }


# --- wiring ------------------------------------------------------------------------------------

KINDS = (  # in the order the preferences page lists them
    ("reminder", gettext_lazy("Reminder")),
    ("late", gettext_lazy("Late")),
    ("escalation", gettext_lazy("Escalation")),
    ("deviation", gettext_lazy("Deviation")),
    ("deviation_review", gettext_lazy("Deviation response")),
    ("task", gettext_lazy("New task")),
)

new_task = NewTaskNotifier()
reminder = ReminderNotifier()
late = LateNotifier()
escalation = EscalationNotifier()
explanation = ExplanationNotifier()
review = ReviewNotifier()

SUBSCRIPTIONS = (
    (signals.step_started, new_task),
    (signals.step_reminder, reminder),
    (signals.step_late, late),
    (signals.step_escalated, escalation),
    (signals.deviation_explained, explanation),
    (signals.deviation_reviewed, review),
)


def register() -> None:
    """Register the kinds of notification about cases and connect the notifiers."""
    for code, label in KINDS:
        register_kind(code, label)
    for signal, notifier in SUBSCRIPTIONS:
        signal.connect(notifier, weak=False, dispatch_uid=f"warta.notify.{notifier.kind}")

"""The prune also deletes handled step alerts (after WARTA_TASK_RESULT_RETENTION_DAYS) and
notifications (after WARTA_NOTIFICATION_RETENTION_DAYS, read or not; 0 keeps them for ever) —
never a scheduled alert, never a notification whose e-mail is still on its way — and nothing
breaks when they are gone: no duplicate notification, no error on a page."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from warta.audit.actions import get_action
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.maintenance import tasks as maintenance_tasks
from warta.maintenance.services import prune_byproducts
from warta.notify.models import MailStatus, Notification, OutgoingMail
from warta.workflow import deadlines, services
from warta.workflow.models import StepAlert, StepRun
from warta.workflow.tasks import fire_step_alert

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=WIB)
State = StepAlert.State


def ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def start_case(sop, user, at: dt.datetime):
    with time_machine.travel(at, tick=False):
        return services.start_case(
            sop=sop, subject_type="test.item", subject_id="1", title="Berita", started_by=user
        )


@pytest.fixture
def writer(make_user, humas_sop):
    user = make_user("humas", "staf_humas")
    user.email = "humas@example.go.id"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def alerts(humas_sop, writer):
    """The four alerts the engine scheduled for the first step, and more of that step's checks
    in every state, handled at different ages."""
    case = start_case(humas_sop, writer, ago(40))
    run = StepRun.objects.get(case=case)
    scheduled = set(StepAlert.objects.values_list("pk", flat=True))
    assert len(scheduled) == 4

    def alert(ordinal: int, state: str, handled_days_ago: int | None) -> int:
        handled_at = ago(handled_days_ago) if handled_days_ago is not None else None
        return StepAlert.objects.create(
            step_run=run,
            kind=StepAlert.Kind.REMINDER,
            ordinal=ordinal,
            fire_at=ago(40),
            state=state,
            handled_at=handled_at,
        ).pk

    return {
        "scheduled": scheduled,
        "old_fired": alert(11, State.FIRED, 8),
        "old_skipped": alert(12, State.SKIPPED, 30),
        "old_fired_2": alert(13, State.FIRED, 400),
        "recent_fired": alert(14, State.FIRED, 6),
        # Scheduled is never pruned, whatever else the row says.
        "odd_scheduled": alert(15, State.SCHEDULED, 100),
    }


def notification(user, days_ago: int, *, read: bool = False, mail: str | None = None) -> int:
    with time_machine.travel(ago(days_ago), tick=False):
        note = Notification.objects.create(
            recipient=user,
            kind="task",
            title=f"Tugas {days_ago}",
            url="/kerja/berita/5/",
            dedupe_key=f"test:{days_ago}:{read}:{mail}",
            read_at=timezone.now() if read else None,
        )
        if mail is not None:
            OutgoingMail.objects.create(
                to_address=user.email,
                subject=f"[Warta] Tugas {days_ago}",
                text_body="Isi surel.",
                status=mail,
                sent_at=timezone.now() if mail == MailStatus.SENT else None,
                notification=note,
            )
    return note.pk


@pytest.fixture
def notes(writer):
    return {
        "old_read": notification(writer, 400, read=True),
        "old_unread": notification(writer, 366),
        "old_failed_mail": notification(writer, 380, mail=MailStatus.FAILED),
        "recent": notification(writer, 364),
        "old_pending_mail": notification(writer, 400, mail=MailStatus.PENDING),
        "old_sending_mail": notification(writer, 400, mail=MailStatus.SENDING),
    }


def alerts_left() -> set[int]:
    return set(StepAlert.objects.values_list("pk", flat=True))


def notifications_left() -> set[int]:
    return set(Notification.objects.values_list("pk", flat=True))


def everything() -> tuple:
    return (
        list(StepAlert.objects.order_by("pk").values()),
        list(Notification.objects.order_by("pk").values()),
        list(OutgoingMail.objects.order_by("pk").values()),
        list(DBTaskResult.objects.order_by("pk").values_list("pk", "status")),
        Event.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_prune_deletes_exactly_the_old_handled_alerts_and_old_notifications(
    alerts, notes, batch_size
):
    with time_machine.travel(NOW, tick=False):
        pruned = prune_byproducts(batch_size=batch_size)
    assert (pruned.step_alerts, pruned.notifications) == (3, 3)
    assert alerts_left() == alerts["scheduled"] | {alerts["recent_fired"], alerts["odd_scheduled"]}
    assert notifications_left() == {
        notes["recent"],
        notes["old_pending_mail"],
        notes["old_sending_mail"],
    }
    # The failed mail of a deleted notification stays (failed mails are never pruned).
    failed = OutgoingMail.objects.get(status=MailStatus.FAILED)
    assert failed.notification_id is None
    assert OutgoingMail.objects.count() == 3

    event = Event.objects.get(action="maintenance.pruned")
    after = event.after
    assert (after["step_alerts"], after["notifications"]) == (3, 3)
    assert (after["mails"], after["task_results"]) == (0, 0)
    assert after["notification_retention_days"] == 365
    assert after["task_result_retention_days"] == 7
    assert after["notifications_created_before"].startswith(
        ago(365).astimezone(dt.UTC).date().isoformat()
    )
    assert after["alerts_handled_before"].startswith(ago(7).astimezone(dt.UTC).date().isoformat())
    with translation.override("en"):
        message = get_action("maintenance.pruned").message(event)
    assert "3 handled step alerts older than 7 days" in message
    assert "3 notifications older than 365 days" in message
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_a_second_prune_finds_nothing_more(alerts, notes):
    with time_machine.travel(NOW, tick=False):
        prune_byproducts()
        again = prune_byproducts()
    assert (again.step_alerts, again.notifications) == (0, 0)
    assert Event.objects.filter(action="maintenance.pruned").count() == 1


@pytest.mark.django_db
def test_the_retentions_follow_the_settings(alerts, notes, settings):
    settings.WARTA_TASK_RESULT_RETENTION_DAYS = 100
    settings.WARTA_NOTIFICATION_RETENTION_DAYS = 390
    with time_machine.travel(NOW, tick=False):
        pruned = prune_byproducts()
    assert (pruned.step_alerts, pruned.notifications) == (1, 1)
    assert alerts["old_fired_2"] not in alerts_left()
    assert notes["old_read"] not in notifications_left()
    assert notes["old_unread"] in notifications_left()


@pytest.mark.django_db
def test_a_notification_retention_of_zero_keeps_them_for_ever(alerts, notes, settings):
    settings.WARTA_NOTIFICATION_RETENTION_DAYS = 0
    before = notifications_left()
    with time_machine.travel(NOW, tick=False):
        assert prune_byproducts(dry_run=True).notifications == 0
        pruned = prune_byproducts()
    assert (pruned.step_alerts, pruned.notifications) == (3, 0)
    assert notifications_left() == before
    event = Event.objects.get(action="maintenance.pruned")
    assert event.after["notification_retention_days"] == 0
    assert event.after["notifications_created_before"] is None
    with translation.override("en"):
        message = get_action("maintenance.pruned").message(event)
    assert "Notifications are kept for ever." in message
    assert "notifications older than" not in message


@pytest.mark.django_db
def test_dry_run_counts_everything_and_changes_nothing(alerts, notes, capsys):
    before = everything()
    with time_machine.travel(NOW, tick=False):
        dry = prune_byproducts(dry_run=True, batch_size=1)
        with translation.override("en"):
            call_command("prune", "--dry-run")
    assert (dry.step_alerts, dry.notifications, dry.dry_run) == (3, 3, True)
    out = capsys.readouterr().out
    assert "Would delete:" in out
    assert "3 handled step alerts older than 7 days" in out
    assert "3 notifications older than 365 days" in out
    assert everything() == before
    assert not Event.objects.filter(action="maintenance.pruned").exists()

    with time_machine.travel(NOW, tick=False), translation.override("en"):
        call_command("prune")
    out = capsys.readouterr().out
    assert out.startswith("Deleted:") and "3 notifications older than 365 days" in out
    event = Event.objects.get(action="maintenance.pruned")
    expected = {k: v for k, v in asdict(dry).items() if k != "dry_run"}
    assert {k: event.after[k] for k in expected} == expected


@pytest.mark.django_db
def test_an_old_event_without_the_new_counts_still_reads_well(writer):
    from warta.audit.services import record_event

    event = record_event(
        action="maintenance.pruned",
        actor=None,
        object_type="maintenance.prune",
        object_id="2026-11-01",
        after={
            "mails": 4,
            "task_results": 9,
            "mail_retention_days": 30,
            "task_result_retention_days": 7,
        },
    )
    event.refresh_from_db()
    with translation.override("en"):
        message = get_action("maintenance.pruned").message(event)
    assert message == (
        "Deleted: 4 sent e-mails older than 30 days; 9 finished background task results older "
        "than 7 days."
    )


@pytest.mark.django_db
def test_a_sent_mail_is_recorded_before_its_notification_goes(writer, settings):
    """The mail outlives its notification here (mails kept 30 days, notifications 10): the
    record of its sending is written while it can still name the notification's kind."""
    settings.WARTA_NOTIFICATION_RETENTION_DAYS = 10
    note = notification(writer, 20, mail=MailStatus.SENT)
    mail = OutgoingMail.objects.get(notification_id=note)
    assert not Event.objects.filter(action="notify.mail_sent").exists()
    with time_machine.travel(NOW, tick=False):
        pruned = prune_byproducts(batch_size=1)
    assert (pruned.mails, pruned.notifications) == (0, 1)
    mail.refresh_from_db()
    assert mail.notification_id is None
    record = Event.objects.get(action="notify.mail_sent", object_id=str(mail.pk)).after
    assert (record["kind"], record["recipient"]) == ("task", writer.pk)
    # Its message needs nothing that is gone.
    with translation.override("en"):
        message = get_action("notify.mail_sent").message(
            Event.objects.get(action="notify.mail_sent")
        )
    assert "humas@example.go.id" in message


@pytest.mark.django_db
def test_a_pruned_notification_is_not_found_rather_than_an_error(client, writer, notes):
    client.force_login(writer)
    with time_machine.travel(NOW, tick=False):
        prune_byproducts()
    response = client.post(reverse("notify:open", args=[notes["old_read"]]))
    assert response.status_code == 404
    assert client.get(reverse("notify:list")).status_code == 200
    response = client.post(reverse("notify:open", args=[notes["recent"]]))
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_old_alert_fired_again_notifies_nobody_again(humas_sop, writer, settings):
    """Deleting an alert's notification frees its dedupe key; the alert itself is what keeps
    the check from firing twice — as a fired row, and once pruned as no row at all."""
    case = start_case(humas_sop, writer, ago(40))
    reminder = StepAlert.objects.filter(step_run__case=case, kind=StepAlert.Kind.REMINDER).first()
    with time_machine.travel(reminder.fire_at + dt.timedelta(minutes=1), tick=False):
        assert deadlines.fire(reminder.pk) == "fired"
    reminders = Notification.objects.filter(kind="reminder", dedupe_key=f"alert:{reminder.pk}")
    assert reminders.count() == 1
    # Its e-mail went out (a notification whose e-mail is on its way is kept until it is sent).
    OutgoingMail.objects.update(status=MailStatus.SENT, sent_at=reminder.fire_at)

    settings.WARTA_NOTIFICATION_RETENTION_DAYS = 1
    settings.WARTA_TASK_RESULT_RETENTION_DAYS = 1000  # the alert stays, fired
    with time_machine.travel(NOW, tick=False):
        assert prune_byproducts().notifications == 1
        assert deadlines.fire(reminder.pk) == "ignored"
    assert not reminders.exists()

    settings.WARTA_TASK_RESULT_RETENTION_DAYS = 7  # now the alert goes too
    with time_machine.travel(NOW, tick=False):
        assert prune_byproducts().step_alerts == 1
        assert deadlines.fire(reminder.pk) == "ignored"
    assert not StepAlert.objects.filter(pk=reminder.pk).exists()
    assert not reminders.exists()
    # The other checks of the open step are still scheduled.
    assert set(StepAlert.objects.values_list("state", flat=True)) == {State.SCHEDULED}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_the_nightly_prune_deletes_alerts_and_notifications(alerts, notes):
    # The engine's own checks are not the subject here: they would fire when the worker runs.
    DBTaskResult.objects.filter(task_path=fire_step_alert.module_path).delete()
    with time_machine.travel(NOW, tick=False):
        assert maintenance_tasks.ensure_scheduled() is True
    with time_machine.travel(dt.datetime(2026, 12, 2, 2, 0, 5, tzinfo=WIB), tick=False):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    done = DBTaskResult.objects.get(
        task_path=maintenance_tasks.prune_daily.module_path, status=TaskResultStatus.SUCCESSFUL
    )
    assert done.return_value["step_alerts"] == 3
    assert done.return_value["notifications"] == 3
    assert alerts_left() == alerts["scheduled"] | {alerts["recent_fired"], alerts["odd_scheduled"]}
    assert notifications_left() == {
        notes["recent"],
        notes["old_pending_mail"],
        notes["old_sending_mail"],
    }

"""Old by-products are pruned: sent mails after WARTA_MAIL_RETENTION_DAYS, finished task results
after WARTA_TASK_RESULT_RETENTION_DAYS — nothing unsent, failed, waiting or running, and never
a mail whose sending is not in the audit trail."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.maintenance import tasks as maintenance_tasks
from warta.maintenance.services import prune_byproducts
from warta.notify.models import MailStatus, Notification, OutgoingMail
from warta.notify.tasks import send_digest

WIB = ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=WIB)


def mail(status, *, sent_days_ago=None, notification=None, **fields):
    sent_at = NOW - dt.timedelta(days=sent_days_ago) if sent_days_ago is not None else None
    return OutgoingMail.objects.create(
        to_address="sari@example.go.id",
        subject=f"[Warta] {status} {sent_days_ago}",
        text_body="Isi surel yang panjang. " * 200,
        html_body="<p>Isi surel yang panjang.</p>" * 200,
        status=status,
        sent_at=sent_at,
        notification=notification,
        **fields,
    )


def task_result(status, *, finished_days_ago=None):
    result = send_digest.enqueue(1, "2026-11-01")
    finished_at = (
        NOW - dt.timedelta(days=finished_days_ago) if finished_days_ago is not None else None
    )
    DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished_at)
    return result.id


@pytest.fixture
def world(make_user):
    user = make_user("sari")
    note = Notification.objects.create(
        recipient=user, kind="task", title="Tugas baru", url="/kerja/berita/5/"
    )
    with time_machine.travel(NOW, tick=False):
        return {
            "old_sent": mail(MailStatus.SENT, sent_days_ago=31, notification=note),
            "old_digest": mail(
                MailStatus.SENT, sent_days_ago=45, digest_key=f"digest:{user.pk}:2026-10-17"
            ),
            "recent_sent": mail(MailStatus.SENT, sent_days_ago=29),
            "pending": mail(MailStatus.PENDING),
            "failed": mail(MailStatus.FAILED),
            "sending": mail(MailStatus.SENDING),
            "old_done": task_result(TaskResultStatus.SUCCESSFUL, finished_days_ago=8),
            "old_failed": task_result(TaskResultStatus.FAILED, finished_days_ago=30),
            "recent_done": task_result(TaskResultStatus.SUCCESSFUL, finished_days_ago=6),
            "waiting": task_result(TaskResultStatus.READY),
            "running": task_result(TaskResultStatus.RUNNING),
            "user": user,
        }


def mails_left():
    return set(OutgoingMail.objects.values_list("pk", flat=True))


def tasks_left():
    return set(DBTaskResult.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_prune_deletes_only_what_is_old_and_finished(world):
    with time_machine.travel(NOW, tick=False):
        pruned = prune_byproducts(batch_size=1)  # many batches
    assert (pruned.mails, pruned.task_results) == (2, 2)
    kept_mails = {world[key].pk for key in ("recent_sent", "pending", "failed", "sending")}
    assert mails_left() == kept_mails
    kept_tasks = {world[key] for key in ("recent_done", "waiting", "running")}
    assert {str(pk) for pk in tasks_left()} == {str(pk) for pk in kept_tasks}
    # The record of each deleted mail is in the audit trail: to whom, which kind, when.
    sent = {e.object_id: e.after for e in Event.objects.filter(action="notify.mail_sent")}
    old = sent[str(world["old_sent"].pk)]
    assert old["to"] == "sari@example.go.id" and old["recipient"] == world["user"].pk
    assert old["kind"] == "task"
    assert old["sent_at"].startswith(str((NOW - dt.timedelta(days=31)).astimezone(dt.UTC).date()))
    digest = sent[str(world["old_digest"].pk)]
    assert (digest["kind"], digest["recipient"], digest["day"]) == (
        "digest",
        world["user"].pk,
        "2026-10-17",
    )
    assert set(sent) == {str(world["old_sent"].pk), str(world["old_digest"].pk)}
    # One event says what the prune did.
    event = Event.objects.get(action="maintenance.pruned")
    assert (event.after["mails"], event.after["task_results"]) == (2, 2)
    assert event.after["mail_retention_days"] == 30
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_a_second_prune_finds_nothing_and_records_nothing(world):
    with time_machine.travel(NOW, tick=False):
        prune_byproducts()
        again = prune_byproducts()
    assert (again.mails, again.task_results) == (0, 0)
    assert Event.objects.filter(action="maintenance.pruned").count() == 1


@pytest.mark.django_db
def test_the_retention_follows_the_settings(world, settings):
    settings.WARTA_MAIL_RETENTION_DAYS = 60
    settings.WARTA_TASK_RESULT_RETENTION_DAYS = 1
    with time_machine.travel(NOW, tick=False):
        pruned = prune_byproducts()
    assert (pruned.mails, pruned.task_results) == (0, 3)
    assert world["old_sent"].pk in mails_left()


@pytest.mark.django_db
def test_dry_run_counts_and_deletes_nothing(world, capsys):
    before_mails, before_tasks = mails_left(), tasks_left()
    with time_machine.travel(NOW, tick=False):
        call_command("prune", "--dry-run")
    assert " 2 " in capsys.readouterr().out
    assert mails_left() == before_mails and tasks_left() == before_tasks
    assert not Event.objects.exists()
    with time_machine.travel(NOW, tick=False):
        call_command("prune")
    assert len(mails_left()) == len(before_mails) - 2
    assert "2" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_the_daily_prune_is_scheduled_once_and_schedules_its_next_run():
    waiting = DBTaskResult.objects.filter(
        task_path=maintenance_tasks.prune_daily.module_path, status=TaskResultStatus.READY
    )
    with time_machine.travel(NOW, tick=False):
        assert maintenance_tasks.ensure_scheduled() is True
        assert maintenance_tasks.ensure_scheduled() is False  # idempotent
    first = waiting.get()
    assert first.run_after == dt.datetime(2026, 12, 2, 2, 0, tzinfo=WIB)

    with time_machine.travel(dt.datetime(2026, 12, 2, 2, 0, 5, tzinfo=WIB), tick=False):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    first.refresh_from_db()
    assert first.status == TaskResultStatus.SUCCESSFUL
    second = waiting.get()
    assert second.run_after == dt.datetime(2026, 12, 3, 2, 0, tzinfo=WIB)


def test_next_run_is_the_next_two_oclock_wib():
    assert maintenance_tasks.next_run_at(
        dt.datetime(2026, 12, 1, 1, 59, tzinfo=WIB)
    ) == dt.datetime(2026, 12, 1, 2, 0, tzinfo=WIB)
    assert maintenance_tasks.next_run_at(dt.datetime(2026, 12, 1, 2, 0, tzinfo=WIB)) == dt.datetime(
        2026, 12, 2, 2, 0, tzinfo=WIB
    )


@pytest.mark.django_db(transaction=True)  # the worker closes its connection
def test_warta_worker_schedules_the_daily_prune_before_it_works():
    waiting = DBTaskResult.objects.filter(
        task_path=maintenance_tasks.prune_daily.module_path, status=TaskResultStatus.READY
    )
    assert not waiting.exists()
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)
    assert waiting.count() == 1

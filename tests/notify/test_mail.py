"""Notifications reach people by e-mail through the outbox, exactly once, come what may."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from warta.notify import services
from warta.notify.models import DigestSchedule, MailStatus, Notification, OutgoingMail

WIB = ZoneInfo("Asia/Jakarta")
LINK = "https://warta.example.go.id/kerja/berita/5/"


def _waiting():
    return DBTaskResult.objects.filter(status=TaskResultStatus.READY)


def _remind(user, **kwargs):
    fields = {
        "recipients": [user],
        "kind": "reminder",
        "title": "Draf berita menunggu pemeriksaan",
        "body": "Langkah 3 jatuh tempo pukul 14.00 WIB.",
        "url": "/kerja/berita/5/",
        **kwargs,
    }
    with transaction.atomic():
        return services.notify(**fields)


@pytest.mark.django_db(transaction=True)
def test_a_committed_notification_is_mailed_once_in_indonesian(person, smtp, run_worker):
    user = person("sari")

    [notification] = _remind(user)
    assert smtp.messages == []  # nothing is sent inside the transition

    run_worker()
    run_worker()

    assert smtp.recipients == [["sari@example.go.id"]]
    [message] = smtp.messages
    assert message["Subject"] == "[Warta] Pengingat: Draf berita menunggu pemeriksaan"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html):
        assert "Draf berita menunggu pemeriksaan" in body
        assert "Langkah 3 jatuh tempo pukul 14.00 WIB." in body
        assert LINK in body
        assert "https://warta.example.go.id/kerja/notifikasi/pengaturan/" in body
    assert "Buka di Warta" in text
    assert "dikirim oleh Warta" in text
    mail = OutgoingMail.objects.get(notification=notification)
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 1)
    assert mail.sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transition_notifies_nobody(person, smtp, run_worker):
    user = person("sari")

    with pytest.raises(RuntimeError), transaction.atomic():
        services.notify(
            recipients=[user], kind="task", title="Tugas", body="", url="/kerja/berita/5/"
        )
        raise RuntimeError("the transition failed")

    run_worker()
    assert not Notification.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_outage_is_retried_later_and_delivered_exactly_once(
    person, smtp_server, run_worker
):
    user = person("sari")

    [notification] = _remind(user)  # the server is down: the transition is not affected
    run_worker()

    mail = OutgoingMail.objects.get(notification=notification)
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
    assert "Connection" in mail.last_error
    assert mail.next_attempt_at > timezone.now()
    # The retry is scheduled (not due yet); the other waiting task is the claim's watchdog.
    assert _waiting().filter(run_after=mail.next_attempt_at).exists()

    run_worker()  # before the back-off: nothing happens
    mail.refresh_from_db()
    assert mail.attempts == 1

    smtp_server.start()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        run_worker()
        run_worker()

    assert smtp_server.recipients == [["sari@example.go.id"]]
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 2)


@pytest.mark.django_db(transaction=True)
def test_after_48_failed_attempts_the_mail_is_marked_failed(person, smtp_server, run_worker):
    [notification] = _remind(person("sari"))
    OutgoingMail.objects.filter(notification=notification).update(attempts=47)

    run_worker()

    mail = OutgoingMail.objects.get(notification=notification)
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 48)
    assert not _waiting().filter(run_after__lt=timezone.now() + dt.timedelta(minutes=5)).exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        run_worker()  # the claim's watchdog finds nothing to do: no 49th attempt
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.FAILED, 48)
    assert not _waiting().exists()


def test_the_back_off_grows_then_stays_at_an_hour():
    minutes = [services.retry_delay(n).total_seconds() / 60 for n in range(1, 10)]
    assert minutes == [1, 2, 5, 10, 30, 60, 60, 60, 60]


@pytest.mark.django_db(transaction=True)
def test_retry_now_sends_a_failed_mail_again(person, smtp, run_worker):
    [notification] = _remind(person("sari"))
    mail = OutgoingMail.objects.get(notification=notification)
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.FAILED, attempts=48)
    DBTaskResult.objects.all().delete()

    assert services.retry_mail(mail=mail)
    run_worker()

    assert len(smtp.messages) == 1
    assert not services.retry_mail(mail=mail)  # sent mails are never sent again


@pytest.mark.django_db(transaction=True)
def test_the_same_event_notifies_each_person_once(person, smtp, run_worker):
    sari, budi = person("sari"), person("budi")

    first = _remind(sari, recipients=[sari, budi, sari], dedupe_key="alert:7")
    again = _remind(sari, recipients=[sari, budi], dedupe_key="alert:7")
    run_worker()

    assert len(first) == 2
    assert again == []
    assert Notification.objects.count() == 2
    assert sorted(r for [r] in smtp.recipients) == ["budi@example.go.id", "sari@example.go.id"]


@pytest.mark.django_db(transaction=True)
def test_inactive_people_are_skipped_and_people_without_address_get_it_in_the_app(
    person, smtp, run_worker
):
    gone = person("gone")
    gone.is_active = False
    gone.save()
    no_mail = person("nomail", email_address="")

    created = _remind(gone, recipients=[gone, no_mail])
    run_worker()

    assert [n.recipient for n in created] == [no_mail]
    assert not OutgoingMail.objects.exists()
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_preference_off_keeps_it_in_the_app(person, smtp, run_worker):
    user = person("sari")
    services.set_preference(user=user, kind="reminder", mode="off")

    [notification] = _remind(user)
    run_worker()

    assert notification.pk
    assert not OutgoingMail.objects.exists()
    assert smtp.messages == []


@pytest.mark.django_db(transaction=True)
def test_digest_mode_sends_one_digest_at_seven_wib_next_day(person, smtp, run_worker):
    user = person("sari")
    services.set_preference(user=user, kind="reminder", mode="digest")
    services.set_preference(user=user, kind="late", mode="digest")

    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=WIB), tick=False):
        _remind(user, title="Pengingat langkah 3", dedupe_key="a")
        _remind(user, kind="late", title="Terlambat: langkah 4", dedupe_key="b")
        [read] = _remind(user, title="Sudah dibaca", dedupe_key="c")
        services.mark_read(user=user, ids=[read.pk])
        run_worker()
    assert DigestSchedule.objects.get().send_on == dt.date(2026, 12, 1)
    assert smtp.messages == []

    with time_machine.travel(dt.datetime(2026, 12, 1, 6, 59, tzinfo=WIB), tick=False):
        run_worker()
    assert smtp.messages == []

    with time_machine.travel(dt.datetime(2026, 12, 1, 7, 0, 5, tzinfo=WIB), tick=False):
        run_worker()
        run_worker()

    [message] = smtp.messages
    assert message["To"] == "sari@example.go.id"
    assert message["Subject"] == "[Warta] Ringkasan harian 1 Des 2026: 2 notifikasi"
    text = message.get_body(("plain",)).get_content()
    assert "Pengingat langkah 3" in text
    assert "Terlambat: langkah 4" in text
    assert "Sudah dibaca" not in text
    assert LINK in text
    assert OutgoingMail.objects.get().digest_key == f"digest:{user.pk}:2026-12-01"


def test_the_digest_goes_out_at_the_next_seven_oclock_wib():
    at = services.next_digest_at
    assert at(dt.datetime(2026, 11, 30, 6, 59, tzinfo=WIB)) == dt.datetime(
        2026, 11, 30, 7, 0, tzinfo=WIB
    )
    assert at(dt.datetime(2026, 11, 30, 7, 0, tzinfo=WIB)) == dt.datetime(
        2026, 12, 1, 7, 0, tzinfo=WIB
    )
    assert at(dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)) == dt.datetime(
        2026, 12, 1, 7, 0, tzinfo=WIB
    )

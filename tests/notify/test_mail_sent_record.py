"""The sending of every mail is in the audit trail (to whom, which kind, when), once — so a sent
mail's rendered body can be pruned later without losing the record."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import translation

from warta.audit.actions import describe
from warta.audit.models import Event
from warta.audit.services import record_event
from warta.audit.verify import verify_chain
from warta.notify import services
from warta.notify.models import MailStatus, OutgoingMail
from warta.notify.retention import record_mail_sent


def _remind(user):
    with transaction.atomic():
        return services.notify(
            recipients=[user],
            kind="reminder",
            title="Draf berita menunggu pemeriksaan",
            body="Langkah 3 jatuh tempo pukul 14.00 WIB.",
            url="/kerja/berita/5/",
        )


def sent_events():
    return list(Event.objects.filter(action="notify.mail_sent"))


@pytest.mark.django_db(transaction=True)
def test_a_sent_mail_is_recorded_once(person, smtp, run_worker):
    user = person("sari")
    [notification] = _remind(user)
    run_worker()
    run_worker()
    mail = OutgoingMail.objects.get(notification=notification)
    assert mail.status == MailStatus.SENT

    [event] = sent_events()
    assert (event.object_type, event.object_id, event.actor_id) == (
        "notify.outgoingmail",
        str(mail.pk),
        None,
    )
    # Recorded as it went out: the event's own time is the sending's, and the subject is made
    # again from the notification's kind and title, so neither is repeated.
    assert event.after == {
        "to": "sari@example.go.id",
        "recipient": user.pk,
        "kind": "reminder",
        "notification": notification.pk,
    }
    with translation.override("en"):
        assert (
            describe(event) == "E-mail sent — “Reminder” e-mail sent to Sari <sari@example.go.id>."
        )
    assert record_mail_sent(mail_id=mail.pk) is None  # already recorded
    assert len(sent_events()) == 1


@pytest.mark.django_db(transaction=True)
def test_an_unsent_mail_is_not_recorded(person, smtp_server, run_worker):
    [notification] = _remind(person("sari"))  # the server is down
    run_worker()
    mail = OutgoingMail.objects.get(notification=notification)
    assert mail.status == MailStatus.PENDING
    assert record_mail_sent(mail_id=mail.pk) is None
    assert sent_events() == []


SENT = dt.datetime(2026, 11, 27, 2, 15, tzinfo=dt.UTC)  # 09:15 WIB


def _sent_mail(user, *, sent_at=SENT, **fields) -> OutgoingMail:
    """A mail the worker sent at ``sent_at`` (the sending itself is tested above)."""
    if not fields:
        [notification] = _remind(user)
        fields = {"mail": OutgoingMail.objects.get(notification=notification)}
    mail = fields.pop("mail", None) or OutgoingMail.objects.create(
        to_address=user.email, subject="[Warta] Lain-lain", text_body="-", **fields
    )
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.SENT, sent_at=sent_at)
    return mail


def _record_at(moment: dt.datetime, mail: OutgoingMail) -> Event:
    with time_machine.travel(moment, tick=False):
        event = record_mail_sent(mail_id=mail.pk)
    assert event is not None
    return Event.objects.get(pk=event.pk)


@pytest.mark.django_db
def test_a_mail_recorded_late_keeps_the_time_it_was_sent(person):
    """The prune records a mail sent before the trail held it: the event's time is then not
    the sending's, so the event says when it went out."""
    user = person("sari")
    on_time = _record_at(SENT + dt.timedelta(seconds=30), _sent_mail(user))
    assert "sent_at" not in on_time.after
    late = _record_at(SENT + dt.timedelta(days=31), _sent_mail(user))
    assert late.after["sent_at"] == SENT.isoformat()
    with translation.override("en"):
        assert describe(on_time).endswith("sent to Sari <sari@example.go.id>.")
        assert describe(late).endswith(
            "sent to Sari <sari@example.go.id>. It went out on 27 November 2026 09:15 WIB."
        )


@pytest.mark.django_db
def test_a_digest_is_recorded_by_its_day(person):
    user = person("sari")
    mail = _sent_mail(user, digest_key=f"digest:{user.pk}:2026-11-26")
    event = _record_at(SENT, mail)
    assert event.after == {
        "to": "sari@example.go.id",
        "recipient": user.pk,
        "kind": "digest",
        "day": "2026-11-26",
    }
    with translation.override("en"):
        assert describe(event) == (
            "E-mail sent — Daily digest of 26 November 2026 sent to Sari <sari@example.go.id>."
        )


@pytest.mark.django_db
def test_a_mail_nothing_else_names_keeps_its_subject(person):
    event = _record_at(SENT, _sent_mail(person("sari"), notification=None))
    assert event.after == {"to": "sari@example.go.id", "subject": "[Warta] Lain-lain"}
    with translation.override("en"):
        assert describe(event) == (
            "E-mail sent — E-mail “[Warta] Lain-lain” sent to sari@example.go.id."
        )


@pytest.mark.django_db
def test_the_record_reads_the_same_once_the_notification_is_gone(person):
    user = person("sari")
    mail = _sent_mail(user)
    event = _record_at(SENT, mail)
    with translation.override("en"):
        text = describe(event)
    mail.notification.delete()
    with translation.override("en"):
        assert describe(Event.objects.get(pk=event.pk)) == text
    assert "“Reminder” e-mail" in text


def _old_event(user, *, at: dt.datetime, sent_at: dt.datetime) -> Event:
    """A ``notify.mail_sent`` event as recorded before issue 12."""
    with time_machine.travel(at, tick=False), transaction.atomic():
        event = record_event(
            action="notify.mail_sent",
            actor=None,
            object_type="notify.outgoingmail",
            object_id=99,
            after={
                "to": "sari@example.go.id",
                "subject": "[Warta] Pengingat: Draf berita menunggu pemeriksaan",
                "sent_at": sent_at.isoformat(),
                "kind": "reminder",
                "recipient": user.pk,
                "notification": 5,
            },
        )
    return Event.objects.get(pk=event.pk)


@pytest.mark.django_db
def test_old_records_with_subject_and_time_still_read_well(person):
    user = person("sari")
    sent_then = _old_event(user, at=SENT + dt.timedelta(seconds=1), sent_at=SENT)
    recorded_later = _old_event(user, at=SENT + dt.timedelta(days=31), sent_at=SENT)
    with translation.override("en"):
        assert describe(sent_then) == (
            "E-mail sent — E-mail “[Warta] Pengingat: Draf berita menunggu pemeriksaan” sent to "
            "sari@example.go.id."
        )
        assert describe(recorded_later) == (
            describe(sent_then) + " It went out on 27 November 2026 09:15 WIB."
        )
    assert list(verify_chain()) == []

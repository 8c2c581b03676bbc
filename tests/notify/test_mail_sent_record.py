"""The sending of every mail is in the audit trail (to whom, which kind, when), once — so a sent
mail's rendered body can be pruned later without losing the record."""

from __future__ import annotations

import pytest
from django.db import transaction

from warta.audit.actions import describe
from warta.audit.models import Event
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
    assert event.after["to"] == "sari@example.go.id"
    assert event.after["recipient"] == user.pk
    assert event.after["kind"] == "reminder"
    assert event.after["notification"] == notification.pk
    assert event.after["subject"] == mail.subject
    assert event.after["sent_at"] == mail.sent_at.isoformat()
    assert mail.subject in describe(event)
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

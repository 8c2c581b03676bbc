"""What stays of an e-mail once it is sent, and the removal of old sent mails' bodies.

A rendered e-mail is a by-product: its text is made again from the notification at any time.
What the record needs is who got which kind of mail and when; ``record_mail_sent`` writes that
into the audit trail (``notify.mail_sent``) once per sent mail, and ``prune_sent_mails`` — run
by ``warta.maintenance`` — makes sure of it before it deletes a sent mail older than the
retention. Unsent and failed mails are never deleted here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from warta.audit.models import Event
from warta.audit.services import record_event
from warta.notify.models import MailStatus, OutgoingMail

ACTION = "notify.mail_sent"
OBJECT_TYPE = "notify.outgoingmail"
DIGEST = "digest"  # the kind recorded for a daily digest (it has no notification)


def _sent_record(mail: OutgoingMail) -> dict:
    """Who got which kind of mail, and when: what the trail keeps of a sent mail."""
    record = {
        "to": mail.to_address,
        "subject": mail.subject,
        "sent_at": mail.sent_at.isoformat() if mail.sent_at else None,
    }
    notification = mail.notification
    if notification is not None:
        record.update(
            kind=notification.kind,
            recipient=notification.recipient_id,
            notification=notification.pk,
        )
    elif mail.digest_key:  # "digest:<user id>:<day>" (notify.services.prepare_digest)
        _digest, user_id, day = [*mail.digest_key.split(":", 2), "", ""][:3]
        record.update(kind=DIGEST, recipient=int(user_id) if user_id.isdigit() else None, day=day)
    return record


def _recorded(mail_ids: Iterable[int]) -> set[int]:
    found = Event.objects.filter(
        action=ACTION, object_type=OBJECT_TYPE, object_id__in=[str(pk) for pk in mail_ids]
    ).values_list("object_id", flat=True)
    return {int(pk) for pk in found}


def record_mail_sent(*, mail_id: int) -> Event | None:
    """Record in the audit trail that the mail went out: to whom (address and person), of which
    kind, its subject and when. Once per mail (the mail's row lock serialises two callers);
    None when it is not sent or already recorded."""
    with transaction.atomic():
        mail = (
            OutgoingMail.objects.select_for_update(of=("self",))
            .select_related("notification")
            .filter(pk=mail_id, status=MailStatus.SENT)
            .first()
        )
        if mail is None or _recorded([mail.pk]):
            return None
        return record_event(
            action=ACTION,
            actor=None,
            object_type=OBJECT_TYPE,
            object_id=mail.pk,
            after=_sent_record(mail),
        )


def sent_mails_before(cutoff: dt.datetime):
    """The sent mails older than ``cutoff`` (by the time they were sent)."""
    return OutgoingMail.objects.filter(status=MailStatus.SENT, sent_at__lt=cutoff)


def prune_sent_mails(*, cutoff: dt.datetime, batch_size: int) -> int:
    """Delete the mails sent before ``cutoff``, ``batch_size`` at a time, each batch in a short
    transaction of its own; a mail whose sending is not in the audit trail yet (sent before the
    trail recorded it) is recorded first. Returns how many were deleted."""
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                sent_mails_before(cutoff).order_by("pk").values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return deleted
            for mail_id in sorted(set(ids) - _recorded(ids)):
                record_mail_sent(mail_id=mail_id)
            # Only what is still sent and old (the rows are re-checked in the delete itself).
            _total, by_model = sent_mails_before(cutoff).filter(pk__in=ids).delete()
            deleted += by_model.get(OutgoingMail._meta.label, 0)

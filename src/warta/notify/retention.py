"""What stays of an e-mail once it is sent, and the removal of old sent mails' bodies.

A rendered e-mail is a by-product: its text is made again from the notification at any time.
What the record needs is who got which kind of mail and when; ``record_mail_sent`` writes that
into the audit trail (``notify.mail_sent``) once per sent mail, and ``prune_sent_mails`` — run
by ``warta.maintenance`` — makes sure of it before it deletes a sent mail older than the
retention. Unsent and failed mails are never deleted here.

In-app notifications older than ``WARTA_NOTIFICATION_RETENTION_DAYS`` go the same way
(``prune_notifications``): what the record needs of them is in the trail — the case and step
events they reported, and ``notify.mail_sent`` for each one that went out by e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from warta.audit.models import Event
from warta.audit.services import record_event
from warta.notify.models import MailStatus, Notification, OutgoingMail

ACTION = "notify.mail_sent"
OBJECT_TYPE = "notify.outgoingmail"
DIGEST = "digest"  # the kind recorded for a daily digest (it has no notification)


# The event's own time is the sending's when it is written within this of it (the worker records
# a mail right after sending it); a later record (the prune's) keeps the time it was sent.
SENT_AT_SLACK = dt.timedelta(minutes=1)


def _sent_record(mail: OutgoingMail, now: dt.datetime) -> dict:
    """What the trail keeps of a sent mail: the address it went to, the person, the kind, and
    the notification or the digest's day. The subject is made again from the notification;
    it is kept only when nothing else names the mail."""
    record: dict = {"to": mail.to_address}
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
    else:
        record["subject"] = mail.subject
    if mail.sent_at is not None and now - mail.sent_at > SENT_AT_SLACK:
        record["sent_at"] = mail.sent_at.isoformat()
    return record


def _recorded(mail_ids: Iterable[int]) -> set[int]:
    found = Event.objects.filter(
        action=ACTION, object_type=OBJECT_TYPE, object_id__in=[str(pk) for pk in mail_ids]
    ).values_list("object_id", flat=True)
    return {int(pk) for pk in found}


def record_mail_sent(*, mail_id: int) -> Event | None:
    """Record in the audit trail that the mail went out: to whom (address and person), of which
    kind, and when — the event's time, or ``sent_at`` when it was sent earlier than that
    (``SENT_AT_SLACK``). Once per mail (the mail's row lock serialises two callers); None when
    it is not sent or already recorded."""
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
            after=_sent_record(mail, timezone.now()),
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


# Still on its way: the record of its sending takes its kind and recipient from the notification.
MAIL_IN_FLIGHT = (MailStatus.PENDING, MailStatus.SENDING)


def notifications_before(cutoff: dt.datetime):
    """The notifications created before ``cutoff``, read or not, except those whose e-mail is
    still on its way (pending or being sent); they go once it is sent."""
    return Notification.objects.filter(created_at__lt=cutoff).exclude(
        mail__status__in=MAIL_IN_FLIGHT
    )


def prune_notifications(*, cutoff: dt.datetime, batch_size: int) -> int:
    """Delete the notifications created before ``cutoff`` (``notifications_before``),
    ``batch_size`` at a time, each batch in a short transaction of its own; a sent mail of one
    of them whose sending is not in the audit trail yet is recorded first, while the
    notification can still name its kind and recipient. Their mails stay (without the link).
    Returns how many were deleted."""
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                notifications_before(cutoff)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return deleted
            sent = list(
                OutgoingMail.objects.filter(
                    notification_id__in=ids, status=MailStatus.SENT
                ).values_list("pk", flat=True)
            )
            for mail_id in sorted(set(sent) - _recorded(sent)):
                record_mail_sent(mail_id=mail_id)
            _total, by_model = notifications_before(cutoff).filter(pk__in=ids).delete()
            deleted += by_model.get(Notification._meta.label, 0)

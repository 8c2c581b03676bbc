"""Writing notifications and sending their e-mail.

Call :func:`notify` inside the transaction of the change it reports: the notification, its
outgoing e-mail and the task that sends it commit — or roll back — together with that change
(the outbox). Sending happens later in the task worker; a failing mail server never affects the
change that caused the mail.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from warta.audit.services import record_event
from warta.notify import emails, tasks
from warta.notify.kinds import get_kind
from warta.notify.models import (
    DigestSchedule,
    MailStatus,
    Mode,
    Notification,
    OutgoingMail,
    Preference,
)
from warta.notify.selectors import mode_for, modes_for, unread_count
from warta.worktime.zone import JAKARTA

__all__ = [
    "deliver_mail",
    "mark_read",
    "message_id",
    "next_digest_at",
    "notify",
    "prepare_digest",
    "retry_delay",
    "retry_mail",
    "set_preference",
    "unread_count",
]

logger = logging.getLogger(__name__)

DIGEST_HOUR = 7
# Minutes to wait after the 1st, 2nd, … failed attempt; then every 60 minutes.
RETRY_MINUTES = (1, 2, 5, 10, 30, 60)
MAX_ATTEMPTS = 48
# A claim older than this belongs to a worker that died while sending: the mail is sent again.
# Well above the SMTP timeout (settings.EMAIL_TIMEOUT applies to each socket operation).
SENDING_TIMEOUT = dt.timedelta(minutes=10)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str,
    url: str,
    dedupe_key: str = "",
) -> list[Notification]:
    """Notify each active recipient once; return the notifications created.

    ``url`` is a path inside Warta (``/kerja/berita/5/``). A recipient who already has a
    notification with the same non-empty ``dedupe_key`` is skipped. Depending on the recipient's
    preference for ``kind`` an e-mail is queued now (immediate), the daily digest is scheduled
    (digest), or nothing more happens (off); without a preference, the kind's default delivery.
    ``kind`` is a registered kind (``notify.kinds``); an unknown one raises ``UnknownKind``.
    """
    registered = get_kind(kind)
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"notification url must be a path inside Warta, got {url!r}")
    people = _unique_active(recipients)
    modes = modes_for(people, registered.code)
    default = Mode(registered.default_delivery)
    now = timezone.now()
    created = []
    # No savepoint of its own: an error here fails the caller's change as a whole anyway.
    with transaction.atomic(savepoint=False):
        for user in people:
            mode = modes.get(user.pk, default) if user.email else Mode.OFF
            digest_at = next_digest_at(now) if mode == Mode.DIGEST else None
            notification = _create_once(
                recipient=user,
                kind=registered.code,
                title=" ".join(str(title).split())[:300],
                body=str(body),
                url=url,
                dedupe_key=dedupe_key,
                digest_on=digest_at.date() if digest_at else None,
            )
            if notification is None:
                continue
            created.append(notification)
            if mode == Mode.IMMEDIATE:
                _queue_mail(notification, user)
            elif digest_at is not None:
                _schedule_digest(user, digest_at)
    return created


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those in ``ids``) read; return how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def set_preference(*, user, kind: str, mode: str) -> Preference:
    """How ``user`` wants notifications of ``kind`` delivered: immediate, digest or off."""
    kind, mode = get_kind(kind).code, Mode(mode)
    with transaction.atomic():
        before = mode_for(user, kind)
        preference, _created = Preference.objects.update_or_create(
            user=user, kind=kind, defaults={"mode": mode}
        )
        if before != mode:
            record_event(
                action="notify.preference_changed",
                actor=user,
                object_type="notify.preference",
                object_id=preference.pk,
                before={"kind": kind, "mode": before.value},
                after={"kind": kind, "mode": mode.value},
            )
    return preference


def next_digest_at(now: dt.datetime) -> dt.datetime:
    """The first 07:00 Asia/Jakarta strictly after ``now``."""
    local = timezone.localtime(now, JAKARTA)
    at = local.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at += dt.timedelta(days=1)  # Asia/Jakarta has no daylight saving time
    return at


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after ``attempts`` failed attempts."""
    return dt.timedelta(minutes=RETRY_MINUTES[min(attempts, len(RETRY_MINUTES)) - 1])


def message_id(mail: OutgoingMail) -> str:
    """The mail's Message-ID: derived from its row and the site's host, so a mail sent again
    after a crash is recognisably the same message (receivers drop the duplicate)."""
    host = urlsplit(settings.WARTA_SITE_URL).hostname or "localhost"
    return f"<warta-mail-{mail.pk}@{host}>"


def _claim(mail_id: int, now: dt.datetime) -> OutgoingMail | None:
    """Take the mail for sending in a short transaction of its own, or return None when it is
    not ours to send (already sent, failed for good, not due yet, or being sent by another
    worker whose claim is still fresh). A stale claim — a worker that died while sending — is
    taken over. The claim also schedules the check that re-sends the mail should this worker
    die before it records the result."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None:
            return None
        if mail.status == MailStatus.PENDING:
            if mail.next_attempt_at is not None and mail.next_attempt_at > now:
                return None  # an earlier task for this mail; its own retry is scheduled
        elif mail.status == MailStatus.SENDING:
            if mail.claimed_at is not None and mail.claimed_at + SENDING_TIMEOUT > now:
                return None
            logger.warning(
                "mail %s: the attempt of %s never reported; sending again", mail.pk, mail.claimed_at
            )
        else:
            return None
        mail.status = MailStatus.SENDING
        mail.claimed_at = now
        mail.attempts += 1
        mail.next_attempt_at = now + SENDING_TIMEOUT
        mail.save(update_fields=["status", "claimed_at", "attempts", "next_attempt_at"])
        tasks.send_mail.using(run_after=mail.next_attempt_at).enqueue(mail.pk)
    return mail


def _record(mail: OutgoingMail, error: Exception | None) -> OutgoingMail:
    """Store the outcome of the attempt that claimed ``mail`` (a short transaction)."""
    with transaction.atomic():
        current = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
        ours = current.status == MailStatus.SENDING and current.claimed_at == mail.claimed_at
        now = timezone.now()
        if error is None:
            if current.status != MailStatus.SENT:  # delivered, whoever else took it over since
                current.status = MailStatus.SENT
                current.sent_at = now
                current.next_attempt_at = None
                current.claimed_at = None
                current.save(update_fields=["status", "sent_at", "next_attempt_at", "claimed_at"])
            return current
        logger.warning("mail %s attempt %s failed: %s", mail.pk, mail.attempts, error)
        if not ours:
            return current  # a newer attempt owns the mail now
        current.last_error = f"{type(error).__name__}: {error}"[:2000]
        current.claimed_at = None
        if current.attempts >= MAX_ATTEMPTS:
            current.status = MailStatus.FAILED
            current.next_attempt_at = None
        else:
            current.status = MailStatus.PENDING
            current.next_attempt_at = now + retry_delay(current.attempts)
            tasks.send_mail.using(run_after=current.next_attempt_at).enqueue(current.pk)
        current.save(update_fields=["status", "last_error", "claimed_at", "next_attempt_at"])
    return current


def deliver_mail(*, mail_id: int) -> OutgoingMail | None:
    """Send one mail; on failure count it and schedule the next attempt.

    No transaction is open while the mail server is spoken to (a hanging server must not hold
    any lock — on SQLite that would be the whole database's write lock): the mail is claimed
    and committed, sent, and the result recorded in a second short transaction. Two workers
    never send it at the same time (the claim); a worker that dies while sending leaves a claim
    that goes stale after ``SENDING_TIMEOUT`` and the mail is sent again, with the same
    Message-ID, so the receiving side sees one message.
    """
    mail = _claim(mail_id, timezone.now())
    if mail is None:
        return OutgoingMail.objects.filter(pk=mail_id).first()
    message = EmailMultiAlternatives(
        mail.subject,
        mail.text_body,
        to=[mail.to_address],
        headers={"Message-ID": message_id(mail)},
    )
    if mail.html_body:
        message.attach_alternative(mail.html_body, "text/html")
    try:
        message.send()
    except Exception as error:
        return _record(mail, error)
    return _record(mail, None)


def retry_mail(*, mail: OutgoingMail) -> bool:
    """Queue an unsent mail for an attempt now (a failed one gets a fresh start). A mail being
    sent right now is left to that attempt."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().get(pk=mail.pk)
        now = timezone.now()
        if mail.status == MailStatus.SENT:
            return False
        if mail.status == MailStatus.SENDING:
            if mail.claimed_at is not None and mail.claimed_at + SENDING_TIMEOUT > now:
                return False
            mail.status = MailStatus.PENDING
            mail.claimed_at = None
        if mail.status == MailStatus.FAILED:
            mail.status = MailStatus.PENDING
            mail.attempts = 0
        mail.next_attempt_at = now
        mail.save()
        tasks.send_mail.enqueue(mail.pk)
    return True


def prepare_digest(*, user_id: int, day: dt.date) -> OutgoingMail | None:
    """Create (once) and queue the digest e-mail of ``day`` for the user, if anything is unread."""
    key = f"digest:{user_id}:{day.isoformat()}"
    with transaction.atomic():
        if OutgoingMail.objects.filter(digest_key=key).exists():
            return None
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None or not user.email:
            return None
        items = list(
            Notification.objects.filter(
                recipient=user, digest_on=day, read_at__isnull=True
            ).order_by("created_at", "id")
        )
        if not items:
            return None
        subject, text, html = emails.render_digest(user, items, day)
        mail = OutgoingMail.objects.create(
            to_address=user.email,
            subject=subject,
            text_body=text,
            html_body=html,
            digest_key=key,
        )
        tasks.send_mail.enqueue(mail.pk)
    return mail


def _unique_active(recipients: Iterable) -> list:
    seen, people = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def _create_once(*, recipient, dedupe_key: str, **fields) -> Notification | None:
    """Create the notification, or return None when the recipient already has one with the
    same non-empty ``dedupe_key`` (the unique constraint decides: no query beforehand)."""
    try:
        # A savepoint: a duplicate must not break the caller's transaction.
        with transaction.atomic():
            return Notification.objects.create(recipient=recipient, dedupe_key=dedupe_key, **fields)
    except IntegrityError:
        return None


def _queue_mail(notification: Notification, user) -> None:
    subject, text, html = emails.render_notification(notification, user)
    mail = OutgoingMail.objects.create(
        to_address=user.email,
        subject=subject,
        text_body=text,
        html_body=html,
        notification=notification,
    )
    tasks.send_mail.enqueue(mail.pk)


def _schedule_digest(user, at: dt.datetime) -> None:
    day = at.date()
    if DigestSchedule.objects.filter(user=user, send_on=day).exists():
        return
    try:
        with transaction.atomic():
            DigestSchedule.objects.create(user=user, send_on=day)
    except IntegrityError:
        return  # scheduled by a concurrent transaction
    tasks.send_digest.using(run_after=at).enqueue(user.pk, day.isoformat())

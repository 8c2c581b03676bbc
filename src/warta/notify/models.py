"""Notifications shown in the app, people's delivery preferences, and the e-mail outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from warta.notify.kinds import MAX_CODE_LENGTH, kind_choices


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately by e-mail")
    DIGEST = "digest", _("Daily digest by e-mail at 07:00")
    OFF = "off", _("Off (in the app only)")


class Notification(models.Model):
    """One message for one person. ``dedupe_key`` makes the same event notify someone once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A registered kind (``notify.kinds``); the choices follow the registry, no migration.
    kind = models.CharField(_("kind"), max_length=MAX_CODE_LENGTH, choices=kind_choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, help_text=_("A path inside Warta."))
    dedupe_key = models.CharField(_("deduplication key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest_on = models.DateField(
        _("digest date"),
        null=True,
        blank=True,
        help_text=_("Set when the notification goes out in the daily digest of this date."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notify_notification_once_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notify_unread_idx"),
            # The notification list: one person's, newest first.
            models.Index(fields=["recipient", "-created_at", "-id"], name="notify_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Preference(models.Model):
    """How one person wants one kind of notification delivered (no row: immediately)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notify_preferences",
    )
    # A registered kind (``notify.kinds``); the choices follow the registry, no migration.
    kind = models.CharField(_("kind"), max_length=MAX_CODE_LENGTH, choices=kind_choices)
    mode = models.CharField(_("delivery"), max_length=16, choices=Mode.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notify_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}: {self.mode}"


class DigestSchedule(models.Model):
    """Marks that the digest of ``user`` for ``send_on`` (07:00 WIB) is already enqueued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE
    )
    send_on = models.DateField(_("send on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("digest schedule")
        verbose_name_plural = _("digest schedules")
        constraints = [
            models.UniqueConstraint(fields=["user", "send_on"], name="notify_digest_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.send_on}"


class MailStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutgoingMail(models.Model):
    """The e-mail outbox: written in the transaction that caused it, sent by the task worker."""

    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=400)
    text_body = models.TextField(_("text body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MailStatus.choices, default=MailStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("sending since"),
        null=True,
        blank=True,
        help_text=_("When a worker took the mail to send it; a stale claim is sent again."),
    )
    notification = models.OneToOneField(
        Notification,
        verbose_name=_("notification"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mail",
    )
    digest_key = models.CharField(_("digest key"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        constraints = [
            models.UniqueConstraint(
                fields=["digest_key"],
                condition=~Q(digest_key=""),
                name="notify_mail_one_digest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"

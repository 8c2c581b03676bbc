"""Publishing's data: the channel accounts news goes to, and one publication record per
(item, account, revision) — the outbox the worker works from.

The publication table was created by the newsroom app (``newsroom_publication``) and keeps its
name, so databases from before the move keep their rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelAccount(models.Model):
    """One account on one platform (the institution's Instagram, a unit's Facebook Page …).

    ``mode`` says how Warta publishes there: through the platform's API with the stored
    credentials, or by hand (Warta prepares the post, a person records its address). The
    built-in website is the account with platform ``website``; it needs no credentials."""

    class Mode(models.TextChoices):
        API = "api", _("Automatic (through the platform's API)")
        MANUAL = "manual", _("By hand (Staf Humas post and record the address)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=32)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, default=Mode.MANUAL)
    handle = models.CharField(_("user name on the platform"), max_length=200, blank=True)
    external_id = models.CharField(_("account id on the platform"), max_length=200, blank=True)
    profile_url = models.URLField(_("profile address"), max_length=500, blank=True)
    base_url = models.URLField(_("API address"), max_length=500, blank=True)
    credentials = models.TextField(_("credentials (encrypted)"), blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    token_expires_at = models.DateTimeField(_("token expires at"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("connected by"),
    )
    connected_at = models.DateTimeField(_("connected at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last connection test"), null=True, blank=True)
    check_result = models.CharField(_("last connection test result"), max_length=500, blank=True)
    check_ok = models.BooleanField(_("last connection test passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["position", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Publication(models.Model):
    """One item on one channel account at one revision of its text.

    Written in the same transaction as the step that publishes (the outbox row); the worker
    moves it on. ``publishing`` with an expired ``lease_until`` means a worker died mid-call:
    the outcome is unknown and the record goes to ``needs_check`` (reconciliation), never
    straight back to sending."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        NEEDS_CHECK = "needs_check", _("Needs checking")
        NEEDS_MANUAL = "needs_manual", _("Waiting to be posted by hand")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Operation(models.TextChoices):
        PUBLISH = "publish", _("Publish")
        UPDATE = "update", _("Update")
        WITHDRAW = "withdraw", _("Withdraw")

    item = models.ForeignKey(
        "newsroom.NewsItem", on_delete=models.CASCADE, related_name="publications"
    )
    account = models.ForeignKey(
        ChannelAccount, on_delete=models.PROTECT, related_name="publications", null=True
    )
    # The account's code when the record was made (kept readable if the account is renamed).
    channel = models.CharField(_("channel"), max_length=40)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    operation = models.CharField(
        _("operation"), max_length=10, choices=Operation.choices, default=Operation.PUBLISH
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PUBLISHED, db_index=True
    )
    caption = models.TextField(_("caption"), blank=True)
    external_id = models.CharField(_("id on the platform"), max_length=200, blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    extra = models.JSONField(_("platform details"), default=dict, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    advice = models.TextField(_("what to do"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    not_before = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    started_at = models.DateTimeField(_("last attempt started at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("attempt lease until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    screenshot = models.ForeignKey(
        "media.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    step_run = models.ForeignKey(
        "workflow.StepRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "newsroom_publication"
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "channel", "revision", "operation"],
                name="publishing_one_per_account_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.channel} r{self.revision}"

    @property
    def settled(self) -> bool:
        """Nothing more will happen without a person: published (or recorded) or withdrawn."""
        return self.state in (self.State.PUBLISHED, self.State.WITHDRAWN)


class ChannelText(models.Model):
    """The short text of an item for one social account (prefilled from the title and lead,
    edited by Staf Humas)."""

    item = models.ForeignKey(
        "newsroom.NewsItem", on_delete=models.CASCADE, related_name="channel_texts"
    )
    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), null=True)

    class Meta:
        verbose_name = _("channel text")
        verbose_name_plural = _("channel texts")
        constraints = [
            models.UniqueConstraint(fields=["item", "account"], name="publishing_one_text"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.account_id}"

"""Roles: the swimlanes of the SOPs, each backed by a Django group that holds its users; and
Plh/Plt delegations: an acting official holding a role for a date range."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=64,
        unique=True,
        help_text=_("The role id used in SOP definitions, e.g. staf_humas."),
    )
    name = models.CharField(_("name"), max_length=200)
    group = models.OneToOneField(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="role"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class Delegation(models.Model):
    """A Plh/Plt: ``acting`` holds ``role`` from ``starts_on`` to ``ends_on`` (inclusive, dates in
    Asia/Jakarta) while ``principal`` is away. It ends by itself after ``ends_on`` or at once when
    revoked. Written only through ``warta.accounts.services``."""

    class Kind(models.TextChoices):
        PLH = "plh", _("Plh (Pelaksana Harian)")
        PLT = "plt", _("Plt (Pelaksana Tugas)")

    role = models.ForeignKey(
        Role, verbose_name=_("role"), on_delete=models.PROTECT, related_name="delegations"
    )
    kind = models.CharField(_("kind"), max_length=3, choices=Kind.choices, default=Kind.PLH)
    acting = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acting official"),
        on_delete=models.PROTECT,
        related_name="acting_delegations",
    )
    principal = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("official replaced"),
        on_delete=models.PROTECT,
        related_name="delegations_away",
        null=True,
        blank=True,
        help_text=_("Empty when the post is vacant."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), help_text=_("Inclusive."))
    reason = models.CharField(_("reason"), max_length=500)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appointed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    appointed_at = models.DateTimeField(_("appointed at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name = _("Plh/Plt delegation")
        verbose_name_plural = _("Plh/Plt delegations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="accounts_delegation_ends_on_after_starts_on",
                violation_error_message=_("The end date must not be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["acting", "ends_on"], name="accounts_dlg_acting_idx")]

    def __str__(self) -> str:
        acting = self.acting.get_full_name() or self.acting.get_username()
        return f"{self.acting_for_label()}: {acting}"

    @property
    def prefix(self) -> str:
        """``Plh.`` or ``Plt.`` — the official abbreviation, the same in every language."""
        return "Plt." if self.kind == self.Kind.PLT else "Plh."

    def acting_for_label(self) -> str:
        """What is recorded with every action of the acting official, e.g. ``Plh. Kabag …``."""
        return f"{self.prefix} {self.role.name}"

    def covers(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on

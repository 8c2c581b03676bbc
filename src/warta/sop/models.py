"""Loaded SOP definitions, one row per version.

A version is immutable: its ``source_text`` is the YAML exactly as loaded, and ``definition()``
parses it back. Loading a changed file adds a version and makes it the active one for its code;
earlier versions stay, because running cases are pinned to the version they started under.
Writes go through ``warta.sop.services.load_sop``.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warta.sop.definition import SopDefinition


class SopVersion(models.Model):
    class Origin(models.TextChoices):
        SHIPPED = "shipped", _("shipped with Warta")
        FILE = "file", _("loaded from a file")
        ADMIN = "admin", _("uploaded in the admin")

    code = models.CharField(_("SOP code"), max_length=100, db_index=True)
    name = models.CharField(_("SOP name"), max_length=255)
    version = models.CharField(
        _("version"),
        max_length=64,
        help_text=_("Revision date plus the first 12 hex digits of the content hash."),
    )
    revision_date = models.DateField(_("revision date"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    source_text = models.TextField(_("definition (YAML)"))
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    origin = models.CharField(
        _("origin"), max_length=16, choices=Origin.choices, default=Origin.FILE
    )
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("loaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(
        _("active"),
        default=False,
        help_text=_("New cases start under the active version of their SOP."),
    )

    # Set by ``services.load_sop`` on the object it returns: True when that call created it.
    newly_loaded: bool = False

    class Meta:
        verbose_name = _("SOP version")
        verbose_name_plural = _("SOP versions")
        ordering = ["code", "-loaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "content_hash"], name="sop_version_unique_content"
            ),
            models.UniqueConstraint(fields=["code", "version"], name="sop_version_unique_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_active=True), name="sop_version_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    def definition(self) -> SopDefinition:
        """The parsed definition. A version's source never changes, so parses are shared by
        every instance in the process, keyed by the content hash."""
        return _parsed_definition(self.content_hash, self.source_text, self.filename or self.code)


@functools.lru_cache(maxsize=64)
def _parsed_definition(content_hash: str, source_text: str, filename: str) -> SopDefinition:
    from warta.sop.loader import load_definition_text

    return load_definition_text(source_text, filename, installed=False)

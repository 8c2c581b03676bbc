"""Where a news item was published: one row per channel.

The table was created by the newsroom app (``newsroom_publication``) and keeps its name, so
databases from before the move keep their rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """Where an item was published: the built-in website, or another channel recorded by hand."""

    item = models.ForeignKey(
        "newsroom.NewsItem", on_delete=models.CASCADE, related_name="publications"
    )
    channel = models.CharField(_("channel"), max_length=32)
    url = models.URLField(_("address"), max_length=500, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"))

    class Meta:
        db_table = "newsroom_publication"
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["item", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "channel"], name="newsroom_one_per_channel"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.channel}"

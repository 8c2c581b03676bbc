"""A news item (berita): the subject that the Humas SOP's case moves through its steps.

Photos and videos are media assets (``warta.media``); their files are private (served only to
staff who may see the item, or, as renditions, publicly once the item is published). Every saved
state of the text is kept as a ``Revision``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

SUBJECT_TYPE = "newsroom.newsitem"

# What the editor offers is also what the sanitiser keeps (django-prose-editor derives the nh3
# allow-list from this configuration).
BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "Link": {"enableTarget": False},
    "History": True,
    "HardBreak": True,
}


def photo_path(instance: object, filename: str) -> str:
    """Only for the migrations written before photos became media assets."""
    return f"newsroom/photos/{filename}"


def video_path(instance: object, filename: str) -> str:
    """Only for the migrations written before videos became media assets."""
    return f"newsroom/videos/{filename}"


class NewsItem(models.Model):
    title = models.CharField(_("title"), max_length=200)
    activity_name = models.CharField(_("activity"), max_length=200)
    activity_at = models.DateTimeField(_("activity date and time"))
    place = models.CharField(_("place"), max_length=200)
    covered_by = models.CharField(_("covered by"), max_length=200)
    notes = models.TextField(_("coverage notes"), blank=True)
    body = ProseEditorField(_("news text"), blank=True, extensions=BODY_EXTENSIONS, sanitize=True)
    channels = models.JSONField(_("target channels"), default=list, blank=True)
    cover = models.ForeignKey(
        "Photo",
        verbose_name=_("cover photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.OneToOneField(
        "workflow.Case",
        verbose_name=_("SOP case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="news_item",
    )
    # Incremented by every save of the content; an autosave based on an older version is refused
    # instead of silently overwriting someone else's newer text.
    edit_version = models.PositiveIntegerField(_("edit version"), default=0)
    slug = models.SlugField(_("web address"), max_length=220, unique=True, null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Photo(models.Model):
    """A photo of an item: its place in the item's order; the file, its caption, alt text and
    renditions are the media asset's (``warta.media``)."""

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="photos")
    asset = models.OneToOneField("media.Asset", on_delete=models.PROTECT, related_name="news_photo")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return str(self.asset_id and self.asset)


class Video(models.Model):
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="videos")
    asset = models.OneToOneField("media.Asset", on_delete=models.PROTECT, related_name="news_video")

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.asset_id and self.asset)


class Revision(models.Model):
    """One saved state of an item's title and text. A saved or submitted revision never
    changes (audit events name it by id and hash); only the newest autosave of a round is
    overwritten by the next autosave (``newsroom.services``), so autosaves stay one per round."""

    class Kind(models.TextChoices):
        AUTOSAVE = "autosave", _("autosave")
        SAVED = "saved", _("saved")
        SUBMITTED = "submitted", _("submitted for review")

    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("news text"), blank=True)
    revision_round = models.PositiveIntegerField(_("revision round"), default=0)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"))

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="newsroom_revision_number"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} r{self.number}"

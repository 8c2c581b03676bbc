"""A news item (berita): the subject that the Humas SOP's case moves through its steps.

Media files of an item are private (served only to signed-in staff, or publicly once the item is
published); see ``views_media``. Every saved state of the text is kept as a ``Revision``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField

from warta.newsroom.uploads import media_type_of, read_head, sniff

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


def _media_path(prefix: str, instance: Photo | Video, field_file: Any) -> str:
    """A new random name whose extension is the type detected in the content (recorded on the
    row by the upload check, else sniffed from the file's first bytes) — never the client's."""
    media_type = media_type_of(instance.content_type)
    if media_type is None and field_file:
        media_type = sniff(read_head(field_file))
    extension = media_type.extension if media_type else "bin"
    return f"newsroom/{prefix}/{uuid.uuid4().hex}.{extension}"


def photo_path(instance: Photo, filename: str) -> str:
    return _media_path("photos", instance, instance.image)


def video_path(instance: Video, filename: str) -> str:
    return _media_path("videos", instance, instance.file)


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
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(
        _("photo"), upload_to=photo_path, width_field="width", height_field="height"
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    # The type detected in the content; the stored name's extension agrees with it.
    content_type = models.CharField(max_length=100, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.original_name


class Video(models.Model):
    item = models.ForeignKey(NewsItem, on_delete=models.CASCADE, related_name="videos")
    file = models.FileField(_("video"), upload_to=video_path)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.caption or self.original_name


class Revision(models.Model):
    """One saved state of an item's title and text. Nothing updates or deletes a revision."""

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

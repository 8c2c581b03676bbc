"""Media files and what is made from them.

An ``Asset`` is one uploaded photo or video: its original (private, kept for the archive, never
served to the public as is), what was learnt from its content, and the state of its renditions.
A ``Rendition`` is one derived file (web size, thumbnail, a network's crop, a poster frame, a
web-playable MP4) stored under a name made from the hash of its own bytes, so it can be cached
for a long time. An ``Upload`` is a resumable upload still in progress (``warta.media.tus``).

The media app knows nothing of news: whoever owns an asset (the newsroom's photos and videos)
decides who may see it, and serves it through ``warta.media.serving``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def original_path(instance: Asset, filename: str) -> str:
    """A new random name whose extension comes from the type found in the content, never the
    client's name (``filename`` is ignored on purpose)."""
    extension = instance.extension or "bin"
    return f"media/originals/{uuid.uuid4().hex}.{extension}"


def rendition_path(instance: Rendition, filename: str) -> str:
    """``filename`` is ``<sha256 of the bytes>.<extension>``: the same bytes, the same name."""
    return f"media/renditions/{filename[:2]}/{filename}"


class Asset(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")

    class State(models.TextChoices):
        PROCESSING = "processing", _("processing")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    original = models.FileField(_("original file"), upload_to=original_path, max_length=255)
    # The type detected in the content; the original's name carries its extension.
    content_type = models.CharField(_("type"), max_length=100)
    extension = models.CharField(max_length=8)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    # Written by Staf Humas; the caption also goes into the public renditions' XMP, the alt
    # text is what a screen reader says (required before a photo is published).
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    alt_text = models.CharField(_("alt text"), max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # As displayed: after the EXIF orientation of a photo or the rotation of a video.
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    # What the content told (a video's duration, frame rate, codecs; a photo's orientation).
    info = models.JSONField(_("details"), default=dict, blank=True)
    # Where the renditions that crop keep their centre: fractions of the upright picture.
    focus_x = models.FloatField(_("focus point (horizontal)"), default=0.5)
    focus_y = models.FloatField(_("focus point (vertical)"), default=0.5)
    # A video's poster: the time (s) of the chosen candidate frame; null = the first candidate.
    poster_time = models.FloatField(_("poster frame time"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PROCESSING
    )
    failure = models.TextField(_("why processing failed"), blank=True)
    # Incremented by every change that calls for new renditions (a new focus point): a worker
    # that finishes work for an older generation does not overwrite the newer one's state.
    generation = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        indexes = [models.Index(fields=["state"], name="media_asset_state")]

    def __str__(self) -> str:
        return self.original_name or f"{self.kind} {self.pk}"

    @property
    def focus(self) -> tuple[float, float]:
        return (self.focus_x, self.focus_y)


class Rendition(models.Model):
    # No index of its own: the unique (asset, spec) index below starts with it.
    asset = models.ForeignKey(
        Asset, on_delete=models.CASCADE, related_name="renditions", db_index=False
    )
    spec = models.CharField(_("rendition"), max_length=32)
    file = models.FileField(upload_to=rendition_path, max_length=255)
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    size = models.BigIntegerField(default=0)
    # For a poster candidate: the time (s) in the video it was taken at.
    time = models.FloatField(null=True, blank=True)
    made_at = models.DateTimeField()

    class Meta:
        verbose_name = _("rendition")
        verbose_name_plural = _("renditions")
        constraints = [
            models.UniqueConstraint(fields=["asset", "spec"], name="media_rendition_once")
        ]

    def __str__(self) -> str:
        return f"{self.asset_id}:{self.spec}"


class Upload(models.Model):
    """A resumable upload (tus 1.0) whose bytes are still arriving in a local part file."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Asset.Kind.choices)
    filename = models.CharField(max_length=255, blank=True)
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    # What the upload is for, as its creator said (e.g. the news item); checked again when the
    # finished upload is attached.
    target = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("upload in progress")
        verbose_name_plural = _("uploads in progress")

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"

    @property
    def complete(self) -> bool:
        return self.offset >= self.length

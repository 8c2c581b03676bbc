"""Test data for serving media: a news item with a photo and a video asset, their renditions,
made directly as rows and files written through ``default_storage`` (no image or video
processing), and publishing by setting the fields ``publishing.selectors`` reads."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import struct
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from warta.media.models import Asset, Rendition, rendition_path
from warta.newsroom.models import NewsItem, Photo, Video

HOSTILE_NAME = 'Rapat "Ñusantara"<script>.html'


def image_bytes(fmt: str = "JPEG", color=(30, 90, 160), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def mp4_bytes(extra: bytes = b"") -> bytes:
    """An MP4 file's ``ftyp`` box and padding: enough for its type (the bytes are only served)."""
    box = b"isom\0\0\x02\0isommp41"
    return struct.pack(">I", 8 + len(box)) + b"ftyp" + box + b"\0\0\0\x08free" + bytes(512) + extra


@dataclass
class Media:
    item: NewsItem
    photo: Asset
    video: Asset
    # spec -> (rendition, its bytes), per asset
    renditions: dict[int, dict[str, tuple[Rendition, bytes]]] = field(default_factory=dict)
    originals: dict[int, bytes] = field(default_factory=dict)

    def all_renditions(self) -> list[tuple[Asset, Rendition, bytes]]:
        assets = {self.photo.pk: self.photo, self.video.pk: self.video}
        return [
            (assets[asset_id], rendition, content)
            for asset_id, by_spec in self.renditions.items()
            for rendition, content in by_spec.values()
        ]

    def publish(self) -> None:
        NewsItem.objects.filter(pk=self.item.pk).update(
            published_at=timezone.now(), slug=f"berita-{self.item.pk}"
        )


def add_asset(
    user, *, kind: str, content: bytes, content_type: str, extension: str, name: str
) -> Asset:
    stored = default_storage.save(f"media/originals/test-{kind}.{extension}", ContentFile(content))
    return Asset.objects.create(
        kind=kind,
        original=stored,
        content_type=content_type,
        extension=extension,
        original_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        state=Asset.State.READY,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )


def add_rendition(
    asset: Asset, spec: str, content: bytes, content_type: str, extension: str, time=None
) -> Rendition:
    name = f"{hashlib.sha256(content).hexdigest()}.{extension}"
    stored = default_storage.save(rendition_path(None, name), ContentFile(content))
    return Rendition.objects.create(
        asset=asset,
        spec=spec,
        file=stored,
        content_type=content_type,
        size=len(content),
        time=time,
        made_at=timezone.now(),
    )


def make_item(user) -> NewsItem:
    from warta.newsroom import services

    return services.create_item(
        user=user,
        title="Kuliah Umum Keimigrasian",
        activity_name="Kuliah umum",
        activity_at=timezone.now() - dt.timedelta(hours=3),
        place="Aula Politeknik Imigrasi",
        covered_by="Sari Wulandari",
        body="<p>Politeknik Imigrasi menggelar kuliah umum.</p>",
    )


PHOTO_SPECS = {
    "web-jpeg": ("JPEG", "image/jpeg", "jpg", (10, 20, 30)),
    "web-webp": ("WEBP", "image/webp", "webp", (10, 20, 30)),
    "thumb": ("JPEG", "image/jpeg", "jpg", (40, 50, 60)),
    "og": ("JPEG", "image/jpeg", "jpg", (70, 80, 90)),
}


def make_media(user) -> Media:
    """An item (made through the newsroom's service) with a photo and a video asset, each with
    renditions whose bytes all differ."""
    item = make_item(user)
    original_photo = image_bytes(color=(200, 10, 10))
    photo = add_asset(
        user,
        kind="photo",
        content=original_photo,
        content_type="image/jpeg",
        extension="jpg",
        name=HOSTILE_NAME,
    )
    Photo.objects.create(item=item, asset=photo, position=0)
    original_video = mp4_bytes(b"original")
    video = add_asset(
        user,
        kind="video",
        content=original_video,
        content_type="video/quicktime",
        extension="mov",
        name="rekaman.mov",
    )
    Video.objects.create(item=item, asset=video)
    media = Media(item=item, photo=photo, video=video)
    media.originals = {photo.pk: original_photo, video.pk: original_video}
    media.renditions[photo.pk] = {}
    for spec, (fmt, mime, extension, color) in PHOTO_SPECS.items():
        content = image_bytes(fmt, color, size=(32 + len(spec), 24))
        media.renditions[photo.pk][spec] = (
            add_rendition(photo, spec, content, mime, extension),
            content,
        )
    web_video = mp4_bytes(b"web")
    poster = image_bytes(color=(1, 2, 3))
    media.renditions[video.pk] = {
        "mp4": (add_rendition(video, "mp4", web_video, "video/mp4", "mp4"), web_video),
        "poster-0": (
            add_rendition(video, "poster-0", poster, "image/jpeg", "jpg", time=0.0),
            poster,
        ),
    }
    return media


def basename(rendition: Rendition) -> str:
    return PurePosixPath(rendition.file.name).name


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content

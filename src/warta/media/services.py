"""The state changes of media: taking in a checked file, describing it, choosing its focus point
or poster, and removing it.

Taking in a file has two halves so that no copy happens inside a database transaction (on SQLite
a transaction holds the whole database's write lock): ``store()`` checks the file by its content
and writes the original to storage; ``create_asset()`` records it inside the caller's
transaction. Whoever stores must ``discard()`` when the transaction does not happen.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warta.audit.services import record_event
from warta.media import limits
from warta.media.errors import MediaRefused
from warta.media.models import Asset, Rendition, original_path
from warta.media.types import MediaType

logger = logging.getLogger(__name__)
FOCUS_FIELDS = ("focus_x", "focus_y")
OBJECT_TYPE = "media.asset"
TEXT_MAX = 300


@dataclass
class StoredOriginal:
    """A checked file written to storage, not yet recorded."""

    name: str
    kind: str
    original_name: str
    media_type: MediaType
    size: int
    sha256: str
    width: int
    height: int
    info: dict[str, Any]

    def discard(self) -> None:
        try:
            default_storage.delete(self.name)
        except OSError:
            logger.exception("could not delete the unused original %s", self.name)


def inspect(path: Path, name: str, kind: str) -> tuple[MediaType, int, int, dict[str, Any]]:
    """Check the file by its content: (type, width, height, details) or ``MediaRefused``."""
    if kind == Asset.Kind.VIDEO:
        from warta.media.video import inspect_video

        video = inspect_video(path, name, max_bytes=limits.max_bytes(kind))
        return video.media_type, video.width, video.height, video.as_dict()
    from warta.media.images import inspect_image

    image = inspect_image(
        path, name, max_bytes=limits.max_bytes(kind), max_pixels=limits.max_pixels()
    )
    return image.media_type, image.width, image.height, {"orientation": image.orientation}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Checked:
    """A file that passed the content check, still where it was (``path``)."""

    path: Path
    name: str
    kind: str
    media_type: MediaType
    width: int
    height: int
    info: dict[str, Any]


def check(path: Path, name: str, kind: str) -> Checked:
    """``MediaRefused`` unless the file at ``path`` is a photo/video Warta takes."""
    media_type, width, height, info = inspect(path, name, kind)
    return Checked(path, name, kind, media_type, width, height, info)


def write(checked: Checked) -> StoredOriginal:
    """Write a checked file to storage as an original (a new name; its type's extension)."""
    stored_name = original_path(Asset(extension=checked.media_type.extension), checked.name)
    with open(checked.path, "rb") as handle:
        stored_name = default_storage.save(stored_name, File(handle))
    return StoredOriginal(
        name=stored_name,
        kind=checked.kind,
        original_name=(checked.name or "")[:255],
        media_type=checked.media_type,
        size=checked.path.stat().st_size,
        sha256=_sha256(checked.path),
        width=checked.width,
        height=checked.height,
        info=checked.info,
    )


def store(path: Path, name: str, kind: str) -> StoredOriginal:
    """Check the file at ``path`` by its content and write it to storage as an original."""
    return write(check(path, name, kind))


@contextmanager
def local_copy(upload: IO[bytes]) -> Iterator[Path]:
    """A path to the content of an uploaded file (Django keeps large ones on disk already)."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(prefix="warta-upload-") as handle:
        upload.seek(0)
        shutil.copyfileobj(upload, handle)
        handle.flush()
        yield Path(handle.name)


def store_uploads(uploads: Iterable[tuple[Any, str]]) -> list[StoredOriginal]:
    """Check every (uploaded file, kind) first, then write them all: nothing is written unless
    every file passed, and a failed write deletes what was already written."""
    with ExitStack() as stack:
        checked = [
            check(stack.enter_context(local_copy(upload)), upload.name or "", kind)
            for upload, kind in uploads
        ]
        stored: list[StoredOriginal] = []
        try:
            for one in checked:
                stored.append(write(one))
        except BaseException:
            for one in stored:
                one.discard()
            raise
        return stored


def create_asset(stored: StoredOriginal, *, user: Any, now: Any = None) -> Asset:
    """Record a stored original (inside the caller's transaction) and have its renditions made
    once the transaction commits."""
    asset = Asset.objects.create(
        kind=stored.kind,
        original=stored.name,
        content_type=stored.media_type.mime,
        extension=stored.media_type.extension,
        original_name=stored.original_name,
        size=stored.size,
        sha256=stored.sha256,
        width=stored.width,
        height=stored.height,
        info=stored.info,
        uploaded_by=user,
        uploaded_at=now or timezone.now(),
    )
    _process_after_commit(asset)
    return asset


def _process_after_commit(asset: Asset) -> None:
    from warta.media.tasks import process_asset

    asset_id, generation = asset.pk, asset.generation
    transaction.on_commit(lambda: process_asset.enqueue(asset_id, generation))


def _again(asset: Asset, fields: list[str]) -> None:
    """Save ``fields`` and make the renditions anew (a newer generation wins over older work)."""
    asset.generation += 1
    asset.state = Asset.State.PROCESSING
    asset.failure = ""
    asset.save(update_fields=[*fields, "generation", "state", "failure"])
    _process_after_commit(asset)


def set_focus(asset_id: int, x: float, y: float, *, user: Any, ip: str = "") -> Asset:
    """Move a photo's focus point (fractions of the upright picture) and re-crop its renditions.
    The caller has checked that ``user`` may edit what the asset belongs to."""
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise MediaRefused("focus", _("The focus point must lie inside the photo."))
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset_id)
        if asset.kind != Asset.Kind.PHOTO:
            raise MediaRefused("focus", _("The focus point must lie inside the photo."))
        before = {"x": asset.focus_x, "y": asset.focus_y}
        asset.focus_x, asset.focus_y = round(x, 4), round(y, 4)
        _again(asset, list(FOCUS_FIELDS))
        record_event(
            action="media.focus_set",
            actor=user,
            object_type=OBJECT_TYPE,
            object_id=asset.pk,
            before=before,
            after={"x": asset.focus_x, "y": asset.focus_y},
            ip=ip,
        )
    return asset


def choose_poster(asset_id: int, time: float, *, user: Any, ip: str = "") -> Asset:
    """Choose a video's poster among its candidate frames (by the candidate's time)."""
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset_id)
        candidate = (
            asset.renditions.filter(spec__startswith="poster-", time=time).only("pk").first()
        )
        if asset.kind != Asset.Kind.VIDEO or candidate is None:
            raise MediaRefused("poster", _("Choose one of the video's poster frames."))
        before = asset.poster_time
        asset.poster_time = time
        asset.save(update_fields=["poster_time"])
        record_event(
            action="media.poster_chosen",
            actor=user,
            object_type=OBJECT_TYPE,
            object_id=asset.pk,
            before={"time": before},
            after={"time": time},
            ip=ip,
        )
    return asset


def describe(asset: Asset, *, caption: str | None = None, alt_text: str | None = None) -> bool:
    """Set the caption and alt text (inside the caller's transaction, which audits the save it
    belongs to). A new caption is written into the renditions, so they are made again. Returns
    whether anything changed."""
    fields = []
    if caption is not None and caption.strip()[:TEXT_MAX] != asset.caption:
        asset.caption = caption.strip()[:TEXT_MAX]
        fields.append("caption")
    if alt_text is not None and alt_text.strip()[:TEXT_MAX] != asset.alt_text:
        asset.alt_text = alt_text.strip()[:TEXT_MAX]
        fields.append("alt_text")
    if "caption" in fields:
        _again(asset, fields)
    elif fields:
        asset.save(update_fields=fields)
    return bool(fields)


def remove(assets: list[Asset]) -> None:
    """Delete assets and, once the transaction commits, their files (a rendition's file only
    when no other rendition has the same bytes)."""
    if not assets:
        return
    names = [asset.original.name for asset in assets]
    rendition_names = set(Rendition.objects.filter(asset__in=assets).values_list("file", flat=True))
    Asset.objects.filter(pk__in=[asset.pk for asset in assets]).delete()
    still_used = set(
        Rendition.objects.filter(file__in=rendition_names).values_list("file", flat=True)
    )
    doomed = names + sorted(rendition_names - still_used)
    transaction.on_commit(lambda: delete_files(doomed))


def delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.exception("could not delete %s", name)

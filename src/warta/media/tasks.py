"""Background work of media: making an asset's renditions, and deleting unfinished uploads.

``process_asset`` is idempotent: it works from the original, writes renditions under names made
from their bytes (the same bytes, the same name), and records them only while the asset is still
at the generation it was asked for — a newer focus point's work is never overwritten by an older
run that finished late.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from warta.audit.services import record_event
from warta.media.errors import MediaRefused
from warta.media.models import Asset, Rendition, rendition_path
from warta.media.selectors import POSTER_PREFIX, WEB_VIDEO
from warta.media.services import OBJECT_TYPE, delete_files
from warta.media.types import BY_MIME, JPEG, MP4, MediaType

logger = logging.getLogger(__name__)


@dataclass
class Made:
    """One rendition made in the worker, in memory (``data``) or in a work file (``path``)."""

    spec: str
    media_type: MediaType
    width: int
    height: int
    data: bytes | None = None
    path: Path | None = None
    time: float | None = None


@contextmanager
def original_on_disk(asset: Asset) -> Iterator[Path]:
    """The original as a local file: its own path on local storage, else a temporary copy."""
    try:
        yield Path(default_storage.path(asset.original.name))
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=f".{asset.extension}") as copy:
        with default_storage.open(asset.original.name, "rb") as source:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        copy.flush()
        yield Path(copy.name)


Details = dict | None  # what the worker learnt of the original (a video's probe), to record


def _photo(asset: Asset, path: Path, workdir: Path) -> tuple[list[Made], Details]:
    from warta.media.images import render_photo

    made = render_photo(
        path,
        BY_MIME.get(asset.content_type) or MediaType(asset.content_type, asset.extension),
        focus=asset.focus,
        rights=settings.WARTA_MEDIA_RIGHTS,
        caption=asset.caption,
    )
    return [Made(m.spec, m.media_type, m.width, m.height, data=m.data) for m in made], None


def _video(asset: Asset, path: Path, workdir: Path) -> tuple[list[Made], Details]:
    from warta.media import video

    info = video.inspect_video(path, asset.original_name, max_bytes=asset.size + 1)
    made = [
        Made(f"{POSTER_PREFIX}{index}", JPEG, f.width, f.height, data=f.data, time=f.time)
        for index, f in enumerate(video.poster_candidates(path))
    ]
    # The public copy never is the original: a phone's video carries where it was filmed.
    dest = workdir / "web.mp4"
    if info.web_playable and info.rotation == 0:
        video.remux_web_mp4(path, dest)
        width, height = info.width, info.height
    else:
        web = video.transcode_web_mp4(path, dest, info)
        width, height = web.width, web.height
    made.append(Made(WEB_VIDEO, MP4, width, height, path=dest))
    return made, info.as_dict()


def _save(made: Made) -> tuple[str, int]:
    """Write a rendition under the hash of its bytes; (storage name, size)."""
    digest = hashlib.sha256()
    if made.data is not None:
        digest.update(made.data)
        size = len(made.data)
    else:
        with open(made.path, "rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        size = made.path.stat().st_size
    name = rendition_path(None, f"{digest.hexdigest()}.{made.media_type.extension}")
    if default_storage.exists(name):
        return name, size
    if made.data is not None:
        return default_storage.save(name, ContentFile(made.data)), size
    with open(made.path, "rb") as handle:
        return default_storage.save(name, File(handle)), size


MEDIA_QUEUE = "media"


@task(queue_name=MEDIA_QUEUE)
def process_asset(asset_id: int, generation: int) -> None:
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None or asset.generation != generation or asset.state != Asset.State.PROCESSING:
        return  # removed, superseded, or this generation's work is already done
    make = _video if asset.kind == Asset.Kind.VIDEO else _photo
    try:
        with tempfile.TemporaryDirectory(prefix="warta-media-") as work:
            with original_on_disk(asset) as path:
                made, details = make(asset, path, Path(work))
            saved = [(m, *_save(m)) for m in made]
    except MediaRefused as refusal:
        _fail(asset_id, generation, refusal.message)
        return
    except Exception:
        logger.exception("could not make the renditions of asset %s", asset_id)
        _fail(asset_id, generation, _("Warta could not make the web versions of this file."))
        return
    _record(asset_id, generation, saved, details)


def _record(
    asset_id: int, generation: int, saved: list[tuple[Made, str, int]], details: Details
) -> None:
    new_names = {name for _made, name, _size in saved}
    with transaction.atomic():
        asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None or asset.generation != generation:
            _forget(new_names)  # a newer generation (or a removal) came first
            return
        old_names = set(asset.renditions.values_list("file", flat=True))
        asset.renditions.all().delete()
        now = timezone.now()
        Rendition.objects.bulk_create(
            Rendition(
                asset=asset,
                spec=made.spec,
                file=name,
                content_type=made.media_type.mime,
                width=made.width,
                height=made.height,
                size=size,
                time=made.time,
                made_at=now,
            )
            for made, name, size in saved
        )
        asset.state = Asset.State.READY
        asset.failure = ""
        asset.processed_at = now
        fields = ["state", "failure", "processed_at"]
        if details:
            asset.info = details
            asset.width, asset.height = details["width"], details["height"]
            fields += ["info", "width", "height"]
        asset.save(update_fields=fields)
        _forget(old_names - new_names)


def _forget(names: set[str]) -> None:
    """Delete, after the commit, those of ``names`` no rendition refers to."""
    used = set(Rendition.objects.filter(file__in=names).values_list("file", flat=True))
    unused = sorted(names - used)
    if unused:
        transaction.on_commit(lambda: delete_files(unused))


def _fail(asset_id: int, generation: int, reason: str) -> None:
    with transaction.atomic():
        asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None or asset.generation != generation:
            return
        asset.state = Asset.State.FAILED
        asset.failure = reason
        asset.processed_at = timezone.now()
        asset.save(update_fields=["state", "failure", "processed_at"])
        record_event(
            action="media.processing_failed",
            actor=None,
            object_type=OBJECT_TYPE,
            object_id=asset.pk,
            after={"reason": reason},
        )


@task()
def expire_upload(upload_id: str) -> None:
    """Delete an upload that was not finished in time (its part file too)."""
    from warta.media.uploads import discard_expired

    discard_expired(upload_id)

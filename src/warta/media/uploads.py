"""The life of a resumable upload, without HTTP (``warta.media.tus`` speaks the protocol).

``begin()`` records an ``Upload`` and creates its empty part file ``<WARTA_UPLOAD_DIR>/<id>.part``;
``append()`` writes the bytes of one chunk at the upload's offset; once every byte has arrived,
``finish()`` hands the file to ``services.store()`` (checked by its content) and forgets the
upload whatever the outcome; ``terminate()`` and the expiry (``discard_expired()``, enqueued for
the upload's expiry time, and ``discard_all_expired()``, a sweep) delete unfinished ones.

Locking: on SQLite a transaction holds the write lock of the whole database, so no transaction
stays open while a chunk crosses the network. Chunks of one upload are serialised by an
exclusive ``flock`` on its part file instead (a second concurrent chunk is refused as a
conflict: the client asks for the offset again), and the offset is committed under the row
lock only after the bytes are on disk (fsync): a crash never records bytes that are not there.

Owner-only: another person's upload id behaves exactly like an unknown one.
"""

from __future__ import annotations

import datetime
import fcntl
import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warta.errors import WartaError
from warta.media import limits
from warta.media.errors import MediaRefused
from warta.media.models import Asset, Upload
from warta.media.services import StoredOriginal, store

logger = logging.getLogger(__name__)
PIECE = 256 * 1024  # bytes read from the request and written at a time
SUFFIX = ".part"


class UploadNotFound(WartaError):
    """No such upload for this person: never existed, someone else's, finished or expired."""

    code = "upload-not-found"
    status = 404

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("This upload no longer exists. Start it again."))


class OffsetMismatch(WartaError):
    """The chunk does not start where the upload stands (or another chunk is being written)."""

    code = "offset-mismatch"
    status = 409

    def __init__(self, expected: int, message: str = "") -> None:
        super().__init__(
            message
            or _("The upload stands at byte %(offset)d; continue from there.")
            % {"offset": expected}
        )
        self.expected = expected


class ChunkRefused(WartaError):
    """A chunk that cannot belong to the upload (it would run past the file's length)."""

    code = "chunk-refused"
    status = 400


class UploadIncomplete(WartaError):
    """``finish()`` of an upload whose bytes have not all arrived."""

    code = "upload-incomplete"
    status = 409

    def __init__(self) -> None:
        super().__init__(_("The file has not been uploaded completely yet."))


def upload_dir() -> Path:
    return Path(settings.WARTA_UPLOAD_DIR)


def part_path(upload_id: uuid.UUID | str) -> Path:
    return upload_dir() / f"{uuid.UUID(str(upload_id))}{SUFFIX}"


def expire_after() -> datetime.timedelta:
    return datetime.timedelta(hours=float(settings.WARTA_UPLOAD_EXPIRE_HOURS))


def _as_uuid(upload_id: Any) -> uuid.UUID:
    try:
        return upload_id if isinstance(upload_id, uuid.UUID) else uuid.UUID(str(upload_id))
    except (TypeError, ValueError, AttributeError):
        raise UploadNotFound() from None


def _too_large(kind: str, name: str, length: int) -> MediaRefused:
    values = {
        "name": name,
        "size": limits.human_size(length),
        "limit": limits.human_size(limits.max_bytes(kind)),
    }
    if kind == Asset.Kind.VIDEO:
        message = _("%(name)s is %(size)s; a video may be at most %(limit)s.")
    else:
        message = _("%(name)s is %(size)s, larger than the %(limit)s allowed for a photo.")
    return MediaRefused("too-large", message % values)


def begin(owner: Any, *, kind: str, filename: str, length: int, target: str = "") -> Upload:
    """Start an upload of ``length`` bytes; ``MediaRefused`` when it is empty or over the
    limit of its kind (nothing is created then)."""
    name = (filename or "").strip()[:255] or _("(no name)")
    if kind not in Asset.Kind.values:
        raise MediaRefused(
            "wrong-type", _("%(name)s is neither a photo nor a video.") % {"name": name}
        )
    if length <= 0:
        raise MediaRefused(
            "empty", _("%(name)s is empty (0 bytes). Upload it again.") % {"name": name}
        )
    if length > limits.max_bytes(kind):
        raise _too_large(kind, name, length)
    now = timezone.now()
    upload = Upload(
        owner=owner,
        kind=kind,
        filename=name,
        length=length,
        target=(target or "")[:100],
        created_at=now,
        expires_at=now + expire_after(),
    )
    path = part_path(upload.pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(exist_ok=False)
    try:
        with transaction.atomic():
            upload.save(force_insert=True)
            transaction.on_commit(lambda: _enqueue_expiry(upload))
    except BaseException:
        _unlink(path)
        raise
    return upload


def _enqueue_expiry(upload: Upload) -> None:
    from warta.media.tasks import expire_upload

    expire_upload.using(run_after=upload.expires_at).enqueue(str(upload.pk))


def get(upload_id: Any, owner: Any, *, now: datetime.datetime | None = None) -> Upload:
    """The owner's unexpired upload, or ``UploadNotFound``."""
    upload = Upload.objects.filter(
        pk=_as_uuid(upload_id), owner=owner, expires_at__gt=now or timezone.now()
    ).first()
    if upload is None:
        raise UploadNotFound()
    return upload


@contextmanager
def _chunk_lock(path: Path, expected: int) -> Iterator[IO[bytes]]:
    """The part file opened for writing, held exclusively for one chunk."""
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below, after the lock is released
    except FileNotFoundError:
        raise UploadNotFound() from None
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OffsetMismatch(
                expected, _("Another part of this file is still arriving; try again shortly.")
            ) from None
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()


def append(
    upload_id: Any, owner: Any, offset: int, stream: IO[bytes], content_length: int
) -> Upload:
    """Write ``content_length`` bytes read from ``stream`` at ``offset`` and return the upload
    with its new offset. A stream that breaks or ends early keeps what arrived: the offset moves
    by the bytes actually written (the caller compares)."""
    upload = get(upload_id, owner)
    if offset != upload.offset:
        raise OffsetMismatch(upload.offset)
    if content_length < 0 or content_length > upload.length - upload.offset:
        raise ChunkRefused(_("This piece does not fit in the file; the file is shorter."))
    with _chunk_lock(part_path(upload.pk), upload.offset) as handle:
        # Another chunk may have been committed between the read above and the lock.
        upload = get(upload.pk, owner)
        if offset != upload.offset:
            raise OffsetMismatch(upload.offset)
        written = _copy(stream, handle, offset, content_length)
        if written == 0:
            return upload
        with transaction.atomic():
            locked = Upload.objects.select_for_update().filter(pk=upload.pk, owner=owner).first()
            if locked is None:  # terminated or expired while the bytes were arriving
                raise UploadNotFound()
            if locked.offset != offset:
                raise OffsetMismatch(locked.offset)
            locked.offset = offset + written
            locked.save(update_fields=["offset"])
    return locked


def _copy(stream: IO[bytes], handle: IO[bytes], offset: int, count: int) -> int:
    """Copy up to ``count`` bytes at ``offset``, durably; how many were written."""
    handle.seek(offset)
    # Anything past ``offset`` is a leftover of a chunk whose offset was never committed.
    handle.truncate()
    written = 0
    try:
        while written < count:
            piece = stream.read(min(PIECE, count - written))
            if not piece:
                break
            handle.write(piece)
            written += len(piece)
    except OSError:  # the client went away mid-chunk (Django: UnreadablePostError)
        logger.info("upload chunk broke off after %d of %d bytes", written, count)
    handle.flush()
    os.fsync(handle.fileno())
    return written


def finish(upload: Upload) -> StoredOriginal:
    """Check and store a complete upload as an original (``MediaRefused`` when its content is
    refused), then forget it: the row and the part file are gone whatever the outcome. The
    caller records the asset and must ``discard()`` the stored original if that fails."""
    with transaction.atomic():
        locked = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None:
            raise UploadNotFound()
        if not locked.complete:
            raise UploadIncomplete()
        # Deleting the row first claims the upload: a second finish() finds nothing.
        locked.delete()
    path = part_path(upload.pk)
    try:
        os.utime(path)  # a fresh time keeps the orphan sweep away while the file is checked
        return store(path, upload.filename, upload.kind)
    except FileNotFoundError:
        raise UploadNotFound() from None
    finally:
        _unlink(path)


def terminate(upload_id: Any, owner: Any) -> None:
    """Delete an unfinished upload of ``owner`` (``UploadNotFound`` if there is none)."""
    pk = _as_uuid(upload_id)
    with transaction.atomic():
        deleted, _rows = Upload.objects.filter(pk=pk, owner=owner).delete()
        if not deleted:
            raise UploadNotFound()
    _unlink(part_path(pk))


def discard_expired(upload_id: Any, *, now: datetime.datetime | None = None) -> bool:
    """Delete the upload if it has expired (the task runs at its expiry time); whether it did."""
    try:
        pk = _as_uuid(upload_id)
    except UploadNotFound:
        return False
    with transaction.atomic():
        deleted, _rows = Upload.objects.filter(
            pk=pk, expires_at__lte=now or timezone.now()
        ).delete()
    if deleted:
        _unlink(part_path(pk))
    return bool(deleted)


def discard_all_expired(now: datetime.datetime | None = None) -> int:
    """Delete every expired upload, and part files no upload owns any more that have not been
    written to for the expiry time (left by a crash); how many uploads and files went."""
    now = now or timezone.now()
    count = 0
    for pk in Upload.objects.filter(expires_at__lte=now).values_list("pk", flat=True):
        count += discard_expired(pk, now=now)
    folder = upload_dir()
    if not folder.is_dir():
        return count
    known = {str(pk) for pk in Upload.objects.values_list("pk", flat=True)}
    stale = (now - expire_after()).timestamp()
    for path in folder.glob(f"*{SUFFIX}"):
        if path.name.removesuffix(SUFFIX) in known:
            continue
        try:
            if path.stat().st_mtime > stale:
                continue
        except FileNotFoundError:
            continue
        if _unlink(path):
            count += 1
    return count


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError:
        logger.exception("could not delete the part file %s", path)
        return False
    return True

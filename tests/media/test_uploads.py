"""The resumable upload's life without HTTP: begin, append in chunks, finish, terminate, expire."""

from __future__ import annotations

import datetime
import fcntl
import io
import os

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from tests.media import imagegen
from warta.media import uploads
from warta.media.errors import MediaRefused
from warta.media.models import Asset, Upload


@pytest.fixture
def limits(settings, tmp_path):
    settings.WARTA_UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WARTA_MEDIA_MAX_PHOTO_MB = 1
    settings.WARTA_MEDIA_MAX_VIDEO_MB = 2
    settings.WARTA_UPLOAD_EXPIRE_HOURS = 1
    return settings


@pytest.fixture
def owner(make_user, limits):
    return make_user("pemilik")


def stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def part_files(settings) -> list[str]:
    folder = settings.WARTA_UPLOAD_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class BrokenStream:
    """A client that sends ``data`` and then loses its connection (or just stops)."""

    def __init__(self, data: bytes, *, error: bool = True) -> None:
        self.data, self.error = io.BytesIO(data), error

    def read(self, size: int = -1) -> bytes:
        piece = self.data.read(size)
        if not piece and self.error:
            raise OSError("connection reset by peer")
        return piece


def test_begin_creates_the_row_the_part_file_and_the_expiry_task(
    owner, limits, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        upload = uploads.begin(
            owner, kind="photo", filename="rapat.jpg", length=1000, target="item:7"
        )

    row = Upload.objects.get(pk=upload.pk)
    assert (row.owner, row.kind, row.filename, row.length, row.offset, row.target) == (
        owner,
        "photo",
        "rapat.jpg",
        1000,
        0,
        "item:7",
    )
    assert row.expires_at - row.created_at == datetime.timedelta(hours=1)
    assert uploads.part_path(upload.pk).read_bytes() == b""
    task = DBTaskResult.objects.get()
    assert task.task_path.endswith("expire_upload")
    assert task.args_kwargs["args"] == [str(upload.pk)]
    assert task.run_after == row.expires_at


@pytest.mark.parametrize(
    ("kind", "length", "code", "words"),
    [
        ("photo", 1024 * 1024 + 1, "too-large", "1 MB allowed for a photo"),
        ("video", 2 * 1024 * 1024 + 1, "too-large", "a video may be at most 2 MB"),
        ("photo", 0, "empty", "is empty"),
        ("audio", 10, "wrong-type", "neither a photo nor a video"),
    ],
)
def test_begin_refuses_and_creates_nothing(owner, limits, kind, length, code, words):
    with translation.override("en"), pytest.raises(MediaRefused) as refused:
        uploads.begin(owner, kind=kind, filename="besar.mp4", length=length)

    assert refused.value.code == code
    assert "besar.mp4" in refused.value.message and words in refused.value.message
    assert not Upload.objects.exists()
    assert part_files(limits) == []


def test_chunks_are_appended_at_the_offset_until_complete(owner):
    data = os.urandom(3000)
    upload = uploads.begin(owner, kind="video", filename="v.mp4", length=len(data))

    first = uploads.append(upload.pk, owner, 0, io.BytesIO(data[:1200]), 1200)
    second = uploads.append(upload.pk, owner, 1200, io.BytesIO(data[1200:]), 1800)

    assert (first.offset, second.offset, second.complete) == (1200, 3000, True)
    assert Upload.objects.get(pk=upload.pk).offset == 3000
    assert uploads.part_path(upload.pk).read_bytes() == data


def test_a_chunk_at_the_wrong_offset_is_a_conflict_and_changes_nothing(owner):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=100)
    uploads.append(upload.pk, owner, 0, io.BytesIO(b"a" * 40), 40)

    for wrong in (0, 39, 41, 100):
        with pytest.raises(uploads.OffsetMismatch) as conflict:
            uploads.append(upload.pk, owner, wrong, io.BytesIO(b"b" * 10), 10)
        assert conflict.value.expected == 40
        assert conflict.value.status == 409

    assert Upload.objects.get(pk=upload.pk).offset == 40
    assert uploads.part_path(upload.pk).read_bytes() == b"a" * 40


@pytest.mark.parametrize("error", [True, False], ids=["reset", "early-end"])
def test_a_chunk_that_breaks_off_keeps_what_arrived(owner, error):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=1000)

    after = uploads.append(upload.pk, owner, 0, BrokenStream(b"x" * 300, error=error), 600)

    assert after.offset == 300
    assert Upload.objects.get(pk=upload.pk).offset == 300
    assert uploads.part_path(upload.pk).read_bytes() == b"x" * 300
    # ... and the client continues from there.
    uploads.append(upload.pk, owner, 300, io.BytesIO(b"y" * 700), 700)
    assert uploads.part_path(upload.pk).read_bytes() == b"x" * 300 + b"y" * 700


def test_bytes_past_the_committed_offset_are_overwritten_on_resume(owner):
    """A crash between the write and the commit leaves bytes the offset does not count."""
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)
    uploads.part_path(upload.pk).write_bytes(b"garbage")

    uploads.append(upload.pk, owner, 0, io.BytesIO(b"abc"), 3)

    assert uploads.part_path(upload.pk).read_bytes() == b"abc"


def test_never_writes_past_the_length(owner):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)

    with pytest.raises(uploads.ChunkRefused):
        uploads.append(upload.pk, owner, 0, io.BytesIO(b"z" * 11), 11)

    assert Upload.objects.get(pk=upload.pk).offset == 0
    assert uploads.part_path(upload.pk).read_bytes() == b""


def test_a_chunk_while_another_is_being_written_is_a_conflict(owner):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)
    with open(uploads.part_path(upload.pk), "rb") as other:
        fcntl.flock(other.fileno(), fcntl.LOCK_EX)
        with pytest.raises(uploads.OffsetMismatch):
            uploads.append(upload.pk, owner, 0, io.BytesIO(b"z" * 5), 5)

    assert Upload.objects.get(pk=upload.pk).offset == 0


def test_another_persons_upload_is_not_found(owner, make_user):
    stranger = make_user("orang-lain")
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)

    with pytest.raises(uploads.UploadNotFound):
        uploads.get(upload.pk, stranger)
    with pytest.raises(uploads.UploadNotFound):
        uploads.append(upload.pk, stranger, 0, io.BytesIO(b"z" * 5), 5)
    with pytest.raises(uploads.UploadNotFound):
        uploads.terminate(upload.pk, stranger)
    with pytest.raises(uploads.UploadNotFound):
        uploads.get("not-a-uuid", owner)

    assert Upload.objects.get(pk=upload.pk).offset == 0
    assert uploads.part_path(upload.pk).exists()


def _uploaded(owner, data: bytes, name: str) -> Upload:
    upload = uploads.begin(owner, kind="photo", filename=name, length=len(data))
    return uploads.append(upload.pk, owner, 0, io.BytesIO(data), len(data))


def test_finish_stores_the_original_and_forgets_the_upload(owner, limits):
    data = imagegen.jpeg_bytes(64, 48)
    upload = _uploaded(owner, data, "kegiatan.jpg")

    stored = uploads.finish(uploads.get(upload.pk, owner))

    assert stored.kind == Asset.Kind.PHOTO
    assert (stored.original_name, stored.size, stored.width, stored.height) == (
        "kegiatan.jpg",
        len(data),
        64,
        48,
    )
    with default_storage.open(stored.name, "rb") as original:
        assert original.read() == data
    assert not Upload.objects.exists()
    assert part_files(limits) == []
    with pytest.raises(uploads.UploadNotFound):  # a second attach finds nothing
        uploads.finish(upload)


def test_a_refused_file_on_finish_leaves_nothing_behind(owner, limits):
    upload = _uploaded(owner, imagegen.html_bytes(), "foto.jpg")

    with pytest.raises(MediaRefused) as refused:
        uploads.finish(upload)

    assert refused.value.code == "not-media"
    assert "foto.jpg" in refused.value.message
    assert not Upload.objects.exists()
    assert part_files(limits) == []
    assert stored_files(limits) == []


def test_finish_refuses_an_incomplete_upload_and_keeps_it(owner):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)
    uploads.append(upload.pk, owner, 0, io.BytesIO(b"z" * 5), 5)

    with pytest.raises(uploads.UploadIncomplete):
        uploads.finish(upload)

    assert Upload.objects.get(pk=upload.pk).offset == 5
    assert uploads.part_path(upload.pk).read_bytes() == b"z" * 5


def test_terminate_deletes_the_row_and_the_part_file(owner, limits):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)
    uploads.append(upload.pk, owner, 0, io.BytesIO(b"z" * 5), 5)

    uploads.terminate(upload.pk, owner)

    assert not Upload.objects.exists()
    assert part_files(limits) == []
    with pytest.raises(uploads.UploadNotFound):
        uploads.append(upload.pk, owner, 5, io.BytesIO(b"z" * 5), 5)


def test_an_expired_upload_is_gone_for_its_owner_and_discarded(owner, limits):
    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)
    later = upload.expires_at + datetime.timedelta(seconds=1)

    early = upload.expires_at - datetime.timedelta(minutes=1)
    assert uploads.discard_expired(str(upload.pk), now=early) is False
    assert Upload.objects.exists()
    with pytest.raises(uploads.UploadNotFound):
        uploads.get(upload.pk, owner, now=later)

    assert uploads.discard_expired(str(upload.pk), now=later) is True
    assert not Upload.objects.exists()
    assert part_files(limits) == []


def test_the_expiry_task_discards_the_upload(owner, limits):
    from warta.media.tasks import expire_upload

    upload = uploads.begin(owner, kind="photo", filename="f.jpg", length=10)
    Upload.objects.filter(pk=upload.pk).update(expires_at=timezone.now())

    expire_upload.call(str(upload.pk))

    assert not Upload.objects.exists()
    assert part_files(limits) == []


def test_the_sweep_discards_expired_uploads_and_stale_orphan_part_files(owner, limits):
    kept = uploads.begin(owner, kind="photo", filename="kept.jpg", length=10)
    gone = uploads.begin(owner, kind="photo", filename="gone.jpg", length=10)
    Upload.objects.filter(pk=gone.pk).update(expires_at=timezone.now())
    orphan_old = limits.WARTA_UPLOAD_DIR / "0b1e6a7e-8c6c-4f07-9a53-7c9d1e0f2a11.part"
    orphan_new = limits.WARTA_UPLOAD_DIR / "1c2f7b8f-9d7d-4a18-8b64-8d0e2f1a3b22.part"
    orphan_old.write_bytes(b"left by a crash")
    orphan_new.write_bytes(b"being finished")
    two_hours_ago = (timezone.now() - datetime.timedelta(hours=2)).timestamp()
    os.utime(orphan_old, (two_hours_ago, two_hours_ago))
    os.utime(uploads.part_path(kept.pk), (two_hours_ago, two_hours_ago))

    assert uploads.discard_all_expired(timezone.now()) == 2

    assert list(Upload.objects.values_list("pk", flat=True)) == [kept.pk]
    assert part_files(limits) == sorted([f"{kept.pk}.part", orphan_new.name])

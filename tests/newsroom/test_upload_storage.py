"""Uploads are written to storage before the save's transaction, never inside it (on SQLite a
transaction holds the whole database's write lock while it lasts), and a save that is refused or
fails deletes what it wrote: no file without a row, no row without a file."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.utils import timezone

from tests.media import videogen
from tests.newsroom.conftest import jpeg
from warta.media.errors import MediaRefused
from warta.media.models import Asset
from warta.newsroom import services
from warta.newsroom.errors import EditConflict
from warta.newsroom.models import NewsItem, Photo, Video
from warta.workflow.errors import NotPermitted

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def storage_use(monkeypatch) -> list[tuple[str, str, bool]]:
    """Every write and read of a stored file: (operation, name, inside a transaction?)."""
    used: list[tuple[str, str, bool]] = []
    save, open_file = FileSystemStorage._save, FileSystemStorage._open

    def watched_save(self, name, content):
        used.append(("write", name, connection.in_atomic_block))
        return save(self, name, content)

    def watched_open(self, name, mode="rb"):
        used.append(("read", name, connection.in_atomic_block))
        return open_file(self, name, mode)

    monkeypatch.setattr(FileSystemStorage, "_save", watched_save)
    monkeypatch.setattr(FileSystemStorage, "_open", watched_open)
    return used


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


_MP4: list[bytes] = []


def mp4_bytes() -> bytes:
    """A small real MP4 (made once per test run)."""
    if not _MP4:
        with tempfile.TemporaryDirectory() as folder:
            _MP4.append(videogen.mp4_h264(Path(folder) / "v.mp4", seconds=0.5).read_bytes())
    return _MP4[0]


def video(name: str = "rekaman.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, mp4_bytes(), "video/mp4")


@pytest.fixture
def big_video():
    """Videos as Django hands over a large upload: streamed to a temporary file on disk (closed
    at the end, as the request would; the storage moves the file away)."""
    made: list[TemporaryUploadedFile] = []

    def make(name: str = "rekaman-panjang.mp4") -> TemporaryUploadedFile:
        upload = TemporaryUploadedFile(name, "video/mp4", 0, None)
        upload.write(mp4_bytes())
        upload.size = upload.tell()
        upload.seek(0)
        made.append(upload)
        return upload

    yield make
    for upload in made:
        upload.close()


def create(user, **uploads):
    return services.create_item(
        user=user,
        title="Kuliah Umum",
        activity_name="Kuliah umum",
        activity_at=timezone.now() - dt.timedelta(hours=2),
        place="Aula",
        covered_by="Sari",
        **uploads,
    )


def test_a_new_item_writes_its_files_before_the_transaction(
    people, settings, storage_use, big_video
):
    item = create(
        people["humas"],
        photos=[jpeg("satu.jpg"), jpeg("dua.png")],
        videos=[video(), big_video()],
    )
    assert storage_use, "the uploads were not written through the storage"
    assert [use for use in storage_use if use[2]] == []  # nothing while a transaction is open
    assert {use[0] for use in storage_use} == {"write"}

    photos, videos = list(item.photos.order_by("position")), list(item.videos.order_by("pk"))
    assert [p.asset.original_name for p in photos] == ["satu.jpg", "dua.png"]
    assert all(
        p.asset.content_type == "image/jpeg" and p.asset.original.name.endswith(".jpg")
        for p in photos
    )
    assert [(p.asset.width, p.asset.height) for p in photos] == [(64, 48), (64, 48)]
    assert [p.position for p in photos] == [1, 2] and item.cover_id == photos[0].pk
    assert [v.asset.original_name for v in videos] == ["rekaman.mp4", "rekaman-panjang.mp4"]
    assert all(
        v.asset.content_type == "video/mp4" and v.asset.original.name.endswith(".mp4")
        for v in videos
    )
    kept = {Path(row.asset.original.path) for row in (*photos, *videos)}
    assert set(stored_files(settings)) == kept
    assert Path(videos[1].asset.original.path).stat().st_size == len(mp4_bytes())


def test_a_refused_new_item_leaves_no_file_and_no_row(people, settings, make_user, big_video):
    outsider = make_user("tamu")  # holds no SOP role: may not start the note
    with pytest.raises(NotPermitted):
        create(outsider, photos=[jpeg()], videos=[video(), big_video()])
    assert stored_files(settings) == []
    assert not NewsItem.objects.exists()
    assert not Photo.objects.exists() and not Video.objects.exists()
    assert not Asset.objects.exists()


def test_a_failure_inside_the_transaction_deletes_the_written_files(people, settings, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(services, "record_event", broken)
    with pytest.raises(RuntimeError):
        create(people["humas"], photos=[jpeg()], videos=[video()])
    assert stored_files(settings) == []
    assert not NewsItem.objects.exists() and not Photo.objects.exists()


def test_one_bad_upload_means_nothing_is_written(people, settings, storage_use):
    fake = SimpleUploadedFile("foto.jpg", b"<script>alert(1)</script>", "image/jpeg")
    with pytest.raises(MediaRefused):
        create(people["humas"], photos=[jpeg(), fake], videos=[video()])
    assert storage_use == [] and stored_files(settings) == []
    assert not NewsItem.objects.exists()


def test_a_draft_saved_with_uploads_writes_them_before_its_transaction(
    people, settings, new_item, storage_use
):
    item = new_item(photos=1)
    before = stored_files(settings)
    storage_use.clear()
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={"title": "Judul baru"},
        photos=[jpeg("baru.jpg")],
        videos=[video()],
    )
    assert [use for use in storage_use if use[0] == "write" and use[2]] == []
    assert len([use for use in storage_use if use[0] == "write"]) == 2
    item.refresh_from_db()
    assert item.title == "Judul baru"
    added = item.photos.get(asset__original_name="baru.jpg")
    assert (added.position, added.asset.width, added.asset.height) == (2, 64, 48)
    assert item.videos.count() == 1
    assert len(stored_files(settings)) == len(before) + 2


def test_a_refused_draft_save_keeps_the_old_files_and_adds_none(
    people, settings, new_item, big_video
):
    item = new_item(photos=1)
    before = stored_files(settings)
    with pytest.raises(EditConflict):
        services.save_draft(
            item_id=item.pk,
            user=people["humas"],
            base_version=item.edit_version + 1,  # not the version now stored
            content={"title": "Judul baru"},
            photos=[jpeg("baru.jpg")],
            videos=[big_video()],
        )
    assert stored_files(settings) == before
    assert item.photos.count() == 1 and item.videos.count() == 0
    with pytest.raises(NotPermitted):
        services.save_draft(
            item_id=item.pk,
            user=people["humas2"],  # the step is assigned to its author
            base_version=item.edit_version,
            content={},
            photos=[jpeg("lain.jpg")],
        )
    assert stored_files(settings) == before
    assert Photo.objects.count() == 1

"""Uploaded media can never be served as something a browser runs: the stored name and the type
come from the content, every response sandboxes it; oversized or odd images are refused cleanly;
files stored before this under a wrong name are repaired by the data migration."""

from __future__ import annotations

import importlib
import io
import struct
import zlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, PngImagePlugin

from tests.newsroom.conftest import jpeg, open_run
from tests.newsroom.test_services import walk_to
from warta.newsroom import uploads
from warta.newsroom.errors import InvalidUpload
from warta.newsroom.models import NewsItem, Photo, Video
from warta.newsroom.views_media import content_disposition
from warta.publishing import services as publishing

migration = importlib.import_module("warta.newsroom.migrations.0002_media_types")

HOSTILE_NAMES = ["foto-kegiatan.html", "gambar.svg", "skrip.js", "halaman.htm"]


def png_bytes(size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def mp4_bytes(major: bytes = b"isom", *compatible: bytes) -> bytes:
    brands = b"".join(compatible or (b"isom", b"mp41"))
    box = major + b"\0\0\x02\0" + brands
    return struct.pack(">I", 8 + len(box)) + b"ftyp" + box + b"\0\0\0\x08free" + bytes(512)


def webm_bytes(doc_type: bytes = b"webm") -> bytes:
    fields = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        + b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        + b"\x42\x82"
        + bytes([0x80 | len(doc_type)])
        + doc_type  # DocType
        + b"\x42\x87\x81\x04"  # DocTypeVersion 4
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(fields)]) + fields + bytes(256)


def declared_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(1024)))
        + chunk(b"IEND", b"")
    )


def note_form(**extra) -> dict:
    return {
        "title": "Kunjungan Kerja Kepala Badan",
        "activity_name": "Kunjungan kerja",
        "activity_at": (timezone.localtime() - timezone.timedelta(hours=2)).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "place": "Aula Utama",
        "covered_by": "Sari Wulandari",
        "notes": "Narasumber: Dr. Andi (Kepala Badan).",
        "body": "<p>Kepala Badan meninjau layanan paspor.</p>",
        **extra,
    }


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def assert_safe(response, content_type: str, filename: str) -> None:
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response["Content-Disposition"] == (
        f"inline; filename=\"{filename}\"; filename*=UTF-8''{filename}"
    )


# --- Stored XSS: type and name from the content ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", HOSTILE_NAMES)
def test_an_image_named_like_a_page_is_stored_and_served_as_an_image(
    client, people, settings, hostile
):
    stem = hostile.rsplit(".", 1)[0]
    client.force_login(people["humas"])
    created = client.post(
        "/kerja/berita/baru/",
        note_form(photos=[SimpleUploadedFile(hostile, png_bytes(), "text/html")]),
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    item = NewsItem.objects.get()
    first = item.photos.get()
    assert first.image.name.endswith(".png") and first.content_type == "image/png"
    assert first.original_name == hostile

    # The edit page is the other upload path; a JPEG under the same name becomes a .jpg.
    edited = client.post(
        f"/kerja/berita/{item.pk}/sunting/",
        {
            **note_form(),
            "channels": ["website"],
            "base_version": item.edit_version,
            "photos": [jpeg(hostile)],
        },
    )
    assert edited.status_code == 302, edited.content.decode()[:2000]
    second = item.photos.exclude(pk=first.pk).get()
    assert second.image.name.endswith(".jpg") and second.content_type == "image/jpeg"
    assert all(path.suffix in {".png", ".jpg"} for path in media_files(settings))

    for photo, mime, extension in ((first, "image/png", "png"), (second, "image/jpeg", "jpg")):
        draft = client.get(f"/kerja/media/foto/{photo.pk}/")
        assert draft.status_code == 200
        assert_safe(draft, mime, f"{stem}.{extension}")
        assert draft["Cache-Control"].startswith("private")

    item = walk_to(item, people, "unggah")
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    client.logout()
    url = f"/media/foto/{first.pk}/"
    whole = client.get(url)
    assert whole.status_code == 200
    assert_safe(whole, "image/png", f"{stem}.png")
    assert b"".join(whole.streaming_content).startswith(b"\x89PNG")
    part = client.get(url, HTTP_RANGE="bytes=0-7")
    assert part.status_code == 206
    assert_safe(part, "image/png", f"{stem}.png")
    assert b"".join(part.streaming_content) == b"\x89PNG\r\n\x1a\n"
    beyond = client.get(url, HTTP_RANGE="bytes=999999-")
    assert beyond.status_code == 416
    assert_safe(beyond, "image/png", f"{stem}.png")


@pytest.mark.django_db
def test_a_video_named_like_a_page_is_stored_and_served_as_a_video(client, people, new_item):
    item = new_item()
    client.force_login(people["humas"])
    response = client.post(
        f"/kerja/berita/{item.pk}/sunting/",
        {
            **note_form(),
            "channels": ["website"],
            "base_version": item.edit_version,
            "videos": [SimpleUploadedFile("rekaman.html", mp4_bytes(), "text/html")],
        },
    )
    assert response.status_code == 302
    video = Video.objects.get()
    assert video.file.name.endswith(".mp4") and video.content_type == "video/mp4"
    draft = client.get(f"/kerja/media/video/{video.pk}/")
    assert draft.status_code == 200
    assert_safe(draft, "video/mp4", "rekaman.mp4")

    item = walk_to(item, people, "unggah")
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    client.logout()
    url = f"/media/video/{video.pk}/"
    assert_safe(client.get(url), "video/mp4", "rekaman.mp4")
    part = client.get(url, HTTP_RANGE="bytes=4-7")
    assert part.status_code == 206 and b"".join(part.streaming_content) == b"ftyp"
    assert_safe(part, "video/mp4", "rekaman.mp4")
    beyond = client.get(url, HTTP_RANGE="bytes=99999-")
    assert beyond.status_code == 416
    assert_safe(beyond, "video/mp4", "rekaman.mp4")


@pytest.mark.django_db
def test_a_stored_file_that_is_missing_is_a_404_not_a_500(client, people, new_item):
    item = new_item()
    photo = item.photos.get()
    default_storage.delete(photo.image.name)
    client.force_login(people["humas"])
    assert client.get(f"/kerja/media/foto/{photo.pk}/").status_code == 404


def test_video_types_come_from_the_container_not_the_name():
    assert uploads.sniff(mp4_bytes()) == uploads.MP4
    assert uploads.sniff(mp4_bytes(b"mp42", b"mp42", b"isom")) == uploads.MP4
    assert uploads.sniff(mp4_bytes(b"qt  ", b"qt  ")) == uploads.MOV
    assert uploads.sniff(mp4_bytes(b"XYZ1", b"XYZ1", b"isom")) == uploads.MP4  # a compatible brand
    assert uploads.sniff(webm_bytes()) == uploads.WEBM
    # An HEIF/AVIF photo shares the ftyp box; Matroska that is not WebM; a page; nothing.
    assert uploads.sniff(mp4_bytes(b"heic", b"mif1", b"heic")) is None
    assert uploads.sniff(mp4_bytes(b"avif", b"avif", b"mif1", b"miaf")) is None
    assert uploads.sniff(webm_bytes(b"matroska")) is None
    assert uploads.sniff(b"<html><script>alert(1)</script>") is None
    assert uploads.sniff(b"") is None
    assert uploads.sniff(b"\0\0\0\x08ftyp") is None  # a box too short to hold a brand
    for bad in (mp4_bytes(b"heic", b"mif1"), b"<svg onload=alert(1)>", webm_bytes(b"matroska")):
        with pytest.raises(InvalidUpload):
            uploads.check_video(SimpleUploadedFile("video.mp4", bad, "video/mp4"))


def test_content_disposition_names_are_made_safe():
    assert content_disposition('a"; filename=x.html', "png", fallback="foto-1") == (
        "inline; filename=\"a-filename-x.png\"; filename*=UTF-8''a-%20filename%3Dx.png"
    )
    assert content_disposition("Rapat Ñusantara–2026.JPG", "jpg", fallback="foto-1") == (
        'inline; filename="Rapat-Nusantara-2026.jpg"; '
        "filename*=UTF-8''Rapat%20%C3%91usantara%E2%80%932026.jpg"
    )
    assert content_disposition("../../etc/passwd", "png", fallback="foto-1").startswith(
        'inline; filename="passwd.png"'
    )
    assert content_disposition("", "png", fallback="foto-7").startswith(
        'inline; filename="foto-7.png"'
    )
    # A type Warta does not know is never shown inline.
    assert content_disposition("x.html", "bin", fallback="foto-7").startswith("attachment;")


# --- Decompression bombs and odd images ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize(
    ("width", "height"),
    [(20_000, 20_000), (11_000, 10_000)],  # refused by Pillow itself, and by Warta's own limit
)
def test_a_decompression_bomb_is_refused_in_indonesian_and_the_typing_kept(
    client, people, settings, width, height
):
    client.force_login(people["humas"])
    bomb = SimpleUploadedFile("bom-foto.png", declared_png(width, height), "image/png")
    assert len(bomb) < 2000
    response = client.post("/kerja/berita/baru/", note_form(photos=[bomb]))
    assert response.status_code == 400
    page = response.content.decode()
    assert "bom-foto.png menyatakan lebih dari 100 juta piksel" in page
    assert 'value="Kunjungan Kerja Kepala Badan"' in page
    assert "Narasumber: Dr. Andi (Kepala Badan)." in page
    assert "Kepala Badan meninjau layanan paspor." in page
    assert not NewsItem.objects.exists() and not Photo.objects.exists()
    assert media_files(settings) == []


@pytest.mark.django_db
def test_a_bomb_added_while_editing_keeps_the_edit_and_stores_nothing(
    client, people, settings, new_item
):
    item = new_item()
    before = media_files(settings)
    client.force_login(people["humas"])
    response = client.post(
        f"/kerja/berita/{item.pk}/sunting/",
        {
            **note_form(body="<p>Teks yang baru saja diketik.</p>"),
            "channels": ["website"],
            "base_version": item.edit_version,
            "photos": [
                jpeg("baik.jpg"),
                SimpleUploadedFile("bom.png", declared_png(30_000, 30_000)),
            ],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "bom.png menyatakan lebih dari 100 juta piksel" in page
    assert "Teks yang baru saja diketik." in page
    assert item.photos.count() == 1 and media_files(settings) == before
    assert NewsItem.objects.get().body == item.body


@pytest.mark.parametrize(
    "error", [RuntimeError("odd"), MemoryError(), Image.DecompressionBombError("bomb")]
)
def test_whatever_pillow_raises_becomes_a_clean_refusal(monkeypatch, error):
    def broken(self):
        raise error

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "verify", broken)
    with pytest.raises(InvalidUpload) as refused:
        uploads.check_photo(SimpleUploadedFile("aneh.png", png_bytes()))
    assert "aneh.png" in str(refused.value)


def test_photo_types_come_from_the_content():
    assert uploads.check_photo(SimpleUploadedFile("a.html", png_bytes())) == uploads.PNG
    assert uploads.check_photo(jpeg("a.svg")) == uploads.JPEG
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    with pytest.raises(InvalidUpload):
        uploads.check_photo(SimpleUploadedFile("a.png", svg))
    with pytest.raises(InvalidUpload):  # a BMP is an image, but not one Warta serves
        buffer = io.BytesIO()
        Image.new("RGB", (4, 4)).save(buffer, "BMP")
        uploads.check_photo(SimpleUploadedFile("a.png", buffer.getvalue()))


# --- Repairing files stored before this -------------------------------------------------------


def _stored(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


@pytest.mark.django_db
def test_the_migration_renames_misnamed_files_and_records_their_type(
    people, new_item, django_capture_on_commit_callbacks
):
    item = new_item()
    now = timezone.now()
    html_png = _stored("newsroom/photos/0123abcd.html", png_bytes())
    svg_jpeg = _stored("newsroom/photos/4567ef01.svg", jpeg().read())
    good = item.photos.get()
    Photo.objects.filter(pk=good.pk).update(content_type="")
    video_name = _stored("newsroom/videos/89ab2345.htm", mp4_bytes())
    rows = [
        Photo.objects.create(
            item=item, image=name, width=8, height=6, uploaded_by=people["humas"], uploaded_at=now
        )
        for name in (html_png, svg_jpeg, "newsroom/photos/missing.html")
    ]
    video = Video.objects.create(
        item=item,
        file=video_name,
        content_type="video/mp4",
        uploaded_by=people["humas"],
        uploaded_at=now,
    )
    good_name = good.image.name

    with django_capture_on_commit_callbacks(execute=True):
        migration.fix_media_names(apps, None)

    png_row, jpeg_row, missing = (Photo.objects.get(pk=row.pk) for row in rows)
    assert png_row.image.name == "newsroom/photos/0123abcd.png"
    assert png_row.content_type == "image/png"
    assert default_storage.open(png_row.image.name).read() == png_bytes()
    assert jpeg_row.image.name == "newsroom/photos/4567ef01.jpg"
    assert jpeg_row.content_type == "image/jpeg"
    assert not default_storage.exists(html_png) and not default_storage.exists(svg_jpeg)
    assert missing.image.name == "newsroom/photos/missing.html" and missing.content_type == ""
    video.refresh_from_db()
    assert video.file.name == "newsroom/videos/89ab2345.mp4"
    assert not default_storage.exists(video_name)
    good.refresh_from_db()
    assert good.image.name == good_name and good.content_type == "image/jpeg"

    # Running it again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        migration.fix_media_names(apps, None)
    assert Photo.objects.get(pk=png_row.pk).image.name == png_row.image.name


@pytest.mark.django_db
def test_the_migration_keeps_old_files_until_it_commits(people, new_item, settings):
    item = new_item()
    name = _stored("newsroom/photos/cafe0001.html", png_bytes())
    row = Photo.objects.create(
        item=item, image=name, uploaded_by=people["humas"], uploaded_at=timezone.now()
    )
    migration.fix_media_names(apps, None)  # the test's transaction never commits
    assert default_storage.exists(name)
    assert Photo.objects.get(pk=row.pk).image.name.endswith(".png")

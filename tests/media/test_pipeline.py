"""Media through the real paths: the newsroom's upload form, the worker that makes renditions,
the focus point and poster choice, and the alt text that publishing needs.

Every refused file is refused with the validator's own message naming the file, and leaves no
stored file, no asset and no item behind."""

from __future__ import annotations

import io
from pathlib import Path

import av
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils.html import escape
from PIL import Image

from tests.media import imagegen, videogen
from warta.audit.models import Event
from warta.media import services as media
from warta.media.errors import MediaRefused
from warta.media.models import Asset, Rendition
from warta.newsroom.models import NewsItem
from warta.workflow.errors import RequirementsMissing

NEW_ITEM = "/kerja/berita/baru/"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WARTA_UPLOAD_DIR = tmp_path / "uploads"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def note_form(**files) -> dict:
    return {
        "title": "Kuliah Umum",
        "activity_name": "Kuliah umum",
        "activity_at": "2026-11-20T09:00",
        "place": "Aula",
        "covered_by": "Sari",
        **files,
    }


def _big_jpeg() -> bytes:
    # A good photo padded past a 1 MB limit (what follows the JPEG's end is ignored by readers).
    return imagegen.jpeg_bytes() + bytes(1024 * 1024 + 1)


def _video_file(tmp_path: Path, make) -> bytes:
    return make(tmp_path).read_bytes()


PHOTO_REFUSALS = {
    "truncated": ("foto-terpotong.jpg", lambda tmp: imagegen.truncated_jpeg(400, 300, 0.4)),
    "bomb": ("bom.png", lambda tmp: imagegen.bomb_png()),
    "svg": ("gambar.jpg", lambda tmp: imagegen.svg_bytes()),
    "html": ("halaman.jpg", lambda tmp: imagegen.html_bytes()),
    "pdf": ("surat.jpg", lambda tmp: imagegen.pdf_bytes()),
    "zip": ("arsip.jpg", lambda tmp: imagegen.zip_bytes()),
    "empty": ("kosong.jpg", lambda tmp: b""),
    "over-limit": ("besar.jpg", lambda tmp: _big_jpeg()),
}
VIDEO_REFUSALS = {
    "truncated": (
        "video-terpotong.mp4",
        lambda tmp: videogen.truncated(
            videogen.mp4_h264(tmp / "whole.mp4"), tmp / "half.mp4"
        ).read_bytes(),
    ),
    "undecodable": (
        "rusak.mp4",
        lambda tmp: videogen.undecodable_mp4(tmp / "bad.mp4").read_bytes(),
    ),
    "zip": ("arsip.mp4", lambda tmp: imagegen.zip_bytes()),
    "photo": ("foto.mp4", lambda tmp: imagegen.jpeg_bytes()),
    "empty": ("kosong.mp4", lambda tmp: b""),
}


def _refusal(tmp_path: Path, name: str, data: bytes, kind: str) -> MediaRefused:
    """What the validator itself says of this file (the page must show exactly that)."""
    path = tmp_path / "check.bin"
    path.write_bytes(data)
    with pytest.raises(MediaRefused) as refused:
        media.inspect(path, name, kind)
    return refused.value


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(PHOTO_REFUSALS))
def test_a_bad_photo_is_refused_by_name_and_leaves_nothing(
    client,
    people,
    settings,
    tmp_path,
    case,
):
    settings.WARTA_MEDIA_MAX_PHOTO_MB = 1
    name, make = PHOTO_REFUSALS[case]
    data = make(tmp_path)
    expected = _refusal(tmp_path, name, data, "photo")
    assert name in expected.message
    client.force_login(people["humas"])
    good = SimpleUploadedFile("bagus.jpg", imagegen.jpeg_bytes(), "image/jpeg")
    bad = SimpleUploadedFile(name, data, "image/jpeg")
    response = client.post(NEW_ITEM, note_form(photos=[good, bad]))
    assert response.status_code == 400
    page = response.content.decode()
    assert escape(expected.message) in page
    assert 'value="Kuliah Umum"' in page  # what was typed is kept
    assert not NewsItem.objects.exists() and not Asset.objects.exists()
    assert stored_files(settings) == []  # the good photo written before it is deleted again


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(VIDEO_REFUSALS))
def test_a_bad_video_is_refused_by_name_and_leaves_nothing(
    client,
    people,
    settings,
    tmp_path,
    case,
):
    name, make = VIDEO_REFUSALS[case]
    data = make(tmp_path)
    expected = _refusal(tmp_path, name, data, "video")
    assert name in expected.message
    client.force_login(people["humas"])
    response = client.post(
        NEW_ITEM,
        note_form(
            photos=[SimpleUploadedFile("bagus.jpg", imagegen.jpeg_bytes(), "image/jpeg")],
            videos=[SimpleUploadedFile(name, data, "video/mp4")],
        ),
    )
    assert response.status_code == 400
    assert escape(expected.message) in response.content.decode()
    assert not NewsItem.objects.exists() and not Asset.objects.exists()
    assert stored_files(settings) == []


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_the_type_comes_from_the_content_and_a_polyglot_is_kept_private(client, people, settings):
    client.force_login(people["humas"])
    response = client.post(
        NEW_ITEM,
        note_form(
            photos=[
                SimpleUploadedFile("foto.jpg", imagegen.png_bytes(), "image/jpeg"),
                SimpleUploadedFile("ganda.jpg", imagegen.polyglot_jpeg_zip(), "image/jpeg"),
                SimpleUploadedFile("iphone.jpg", imagegen.heic_bytes(), "image/jpeg"),
            ]
        ),
    )
    assert response.status_code == 302
    png, polyglot, heic = Asset.objects.order_by("pk")
    assert (png.content_type, png.original.name.endswith(".png")) == ("image/png", True)
    assert polyglot.content_type == "image/jpeg"
    assert heic.content_type in ("image/heic", "image/heif")
    run_worker()
    for asset in (png, polyglot, heic):
        asset.refresh_from_db()
        assert asset.state == Asset.State.READY, asset.failure
        # What the public could get are renditions: freshly encoded, never the stored bytes.
        for rendition in asset.renditions.all():
            with default_storage.open(rendition.file.name, "rb") as handle:
                data = handle.read()
            assert b"PK\x03\x04" not in data
            assert data != asset.original.open("rb").read()


def _rendition_image(rendition: Rendition) -> Image.Image:
    with default_storage.open(rendition.file.name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_upright_metadata_free_renditions_and_reports_its_state(
    client,
    people,
    settings,
):
    """A phone photo stored sideways (EXIF orientation 6) with GPS: every rendition is upright
    (its longer side horizontal, like the picture) and carries no EXIF at all."""
    client.force_login(people["humas"])
    phone = imagegen.jpeg_bytes(400, 300, orientation=6, gps=True)
    client.post(NEW_ITEM, note_form(photos=[SimpleUploadedFile("hp.jpg", phone, "image/jpeg")]))
    item = NewsItem.objects.get()
    asset = item.photos.get().asset
    assert asset.state == Asset.State.PROCESSING
    editor = client.get(f"/kerja/berita/{item.pk}/sunting/").content.decode()
    assert "media-processing" in editor
    run_worker()
    asset.refresh_from_db()
    assert asset.state == Asset.State.READY
    specs = {r.spec: r for r in asset.renditions.all()}
    assert {"web-jpeg", "web-webp", "thumb", "og", "landscape"} <= set(specs)
    web = _rendition_image(specs["web-jpeg"])
    assert web.size == (specs["web-jpeg"].width, specs["web-jpeg"].height)
    assert web.width > web.height  # upright: the stored pixels were 300×400, turned by EXIF
    for rendition in specs.values():
        image = _rendition_image(rendition)
        assert not any(tag in image.getexif() for tag in (0x8825, 0x010F, 0xA431))  # GPS/make
        assert b"GPS" not in default_storage.open(rendition.file.name).read()
    # The editor shows the ready photo (its web rendition, by the permission-checked address).
    editor = client.get(f"/kerja/berita/{item.pk}/sunting/").content.decode()
    assert f"/kerja/media/{asset.pk}/web-jpeg/" in editor


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_the_focus_point_recrops_and_an_older_run_never_wins(client, people, settings):
    client.force_login(people["humas"])
    client.post(
        NEW_ITEM,
        note_form(
            photos=[SimpleUploadedFile("a.jpg", imagegen.jpeg_bytes(800, 300), "image/jpeg")]
        ),
    )
    item = NewsItem.objects.get()
    asset = item.photos.get().asset
    run_worker()
    before = asset.renditions.get(spec="ig-square").file.name
    first_generation = Asset.objects.get(pk=asset.pk).generation
    response = client.post(
        f"/kerja/berita/{item.pk}/media/{asset.pk}/fokus/", {"x": "0.05", "y": "0.5"}
    )
    assert response.status_code == 200 and response.json()["ok"]
    asset.refresh_from_db()
    assert (asset.focus_x, asset.state) == (0.05, Asset.State.PROCESSING)
    assert Event.objects.filter(action="media.focus_set", object_id=str(asset.pk)).exists()
    # A late run of the old generation changes nothing.
    from warta.media.tasks import process_asset

    process_asset.call(asset.pk, first_generation)
    assert Asset.objects.get(pk=asset.pk).state == Asset.State.PROCESSING
    run_worker()
    after = Asset.objects.get(pk=asset.pk).renditions.get(spec="ig-square").file.name
    assert after != before
    assert not default_storage.exists(before)  # the old crop is deleted


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan", "inf", "x", ""])
def test_a_focus_point_outside_the_photo_is_refused(client, people, new_item, value):
    item = new_item()
    asset = item.photos.get().asset
    client.force_login(people["humas"])
    response = client.post(
        f"/kerja/berita/{item.pk}/media/{asset.pk}/fokus/", {"x": value, "y": "0.5"}
    )
    assert response.status_code == 400 and not response.json()["ok"]
    assert Asset.objects.get(pk=asset.pk).focus_x == 0.5


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_failed_rendition_says_why_on_the_item_page(client, people, settings, new_item):
    item = new_item()
    asset = item.photos.get().asset
    with default_storage.open(asset.original.name, "wb") as handle:
        handle.write(b"\xff\xd8\xff\xe0 rusak")  # the original damaged after it was checked
    run_worker()
    asset.refresh_from_db()
    assert asset.state == Asset.State.FAILED and asset.failure
    assert Event.objects.filter(action="media.processing_failed").count() == 1
    client.force_login(people["humas"])
    page = client.get(f"/kerja/berita/{item.pk}/sunting/").content.decode()
    assert escape(asset.failure) in page


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_video_gets_a_metadata_free_web_copy_and_a_chosen_poster(
    client,
    people,
    settings,
    tmp_path,
):
    source = videogen.mp4_h264(tmp_path / "hp.mp4", seconds=1.0)
    tagged = tmp_path / "tagged.mp4"
    with av.open(str(source)) as src, av.open(str(tagged), "w", format="mp4") as out:
        out.metadata["location"] = "-6.3700+106.8300/"
        out.metadata["comment"] = "serial SN-12345"
        streams = {s.index: out.add_stream_from_template(s) for s in src.streams}
        for packet in src.demux():
            if packet.dts is not None:
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
    client.force_login(people["humas"])
    client.post(
        NEW_ITEM,
        note_form(
            photos=[SimpleUploadedFile("a.jpg", imagegen.jpeg_bytes(), "image/jpeg")],
            videos=[SimpleUploadedFile("hp.mp4", tagged.read_bytes(), "video/mp4")],
        ),
    )
    item = NewsItem.objects.get()
    video = item.videos.get().asset
    run_worker()
    video.refresh_from_db()
    assert video.state == Asset.State.READY
    assert video.info["duration"] == pytest.approx(1.0, abs=0.1)
    web = video.renditions.get(spec="mp4")
    data = default_storage.open(web.file.name).read()
    assert b"SN-12345" not in data and b"106.8300" not in data
    assert b"SN-12345" in tagged.read_bytes()  # the test file did carry them
    posters = list(video.renditions.filter(spec__startswith="poster-").order_by("time"))
    assert len(posters) >= 2
    response = client.post(
        f"/kerja/berita/{item.pk}/media/{video.pk}/poster/", {"time": f"{posters[1].time:.3f}"}
    )
    assert response.status_code == 302
    assert Asset.objects.get(pk=video.pk).poster_time == posters[1].time
    response = client.post(f"/kerja/berita/{item.pk}/media/{video.pk}/poster/", {"time": "9999"})
    assert response.status_code == 302
    assert Asset.objects.get(pk=video.pk).poster_time == posters[1].time


@pytest.mark.django_db
def test_publishing_needs_alt_text_for_every_photo(people, new_item):
    from tests.newsroom.test_services import walk_to
    from warta.publishing import services as publishing

    item = new_item(photos=2, alt=False)
    walk_to(item, people, "unggah")
    run = item.case.step_runs.get(finished_at__isnull=True)
    with pytest.raises(RequirementsMissing) as refused:
        publishing.publish(item_id=item.pk, step_run_id=run.pk, user=people["humas"])
    assert "Teks alternatif setiap foto" in refused.value.message
    assert not NewsItem.objects.get(pk=item.pk).is_published


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_removing_a_photo_deletes_its_files(client, people, settings, new_item):
    item = new_item(photos=2)
    run_worker()
    kept, gone = item.photos.order_by("position")
    # The two test photos are the same picture: their renditions are the same files (named by
    # their bytes), which stay for the photo that is kept.
    shared = set(kept.asset.renditions.values_list("file", flat=True))
    own = set(gone.asset.renditions.values_list("file", flat=True)) - shared
    names = [gone.asset.original.name, *own]
    assert shared and all(default_storage.exists(name) for name in names)
    from warta.newsroom import services

    with pytest.raises(Exception):  # noqa: B017 - a refused save removes nothing
        services.save_draft(
            item_id=item.pk,
            user=people["humas"],
            base_version=item.edit_version - 1,
            content={},
            remove_photo_ids=[gone.pk],
        )
    assert all(default_storage.exists(name) for name in names)
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={},
        remove_photo_ids=[gone.pk],
    )
    assert not any(default_storage.exists(name) for name in names)
    assert all(default_storage.exists(name) for name in shared)
    assert item.photos.count() == 1


# The worker runs after the commit, in its own connection.
@pytest.mark.django_db(transaction=True)
def test_a_video_that_does_not_fit_a_chosen_channel_is_flagged_before_the_decision(
    client, people, new_item, tmp_path
):
    from warta.media.video import CHANNEL_VIDEO_LIMITS
    from warta.newsroom import services

    item = new_item()
    short = videogen.mp4_h264(tmp_path / "pendek.mp4", seconds=1.0)
    minimum = CHANNEL_VIDEO_LIMITS["instagram"].min_seconds
    assert minimum and minimum > 1.0  # the premise: Instagram wants a longer video
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={},
        channels=["website", "instagram"],
        videos=[SimpleUploadedFile("pendek.mp4", short.read_bytes(), "video/mp4")],
    )
    run_worker()
    client.force_login(people["humas"])
    editor = client.get(f"/kerja/berita/{item.pk}/sunting/").content.decode()
    assert "pendek.mp4" in editor and "Instagram" in editor
    assert editor.count("warn-text") >= 1
    from tests.newsroom.test_services import walk_to

    walk_to(item, people, "periksa")
    client.force_login(people["kasubbag"])
    page = client.get(f"/kerja/berita/{item.pk}/").content.decode()
    notes = page[page.index('class="media-notes"') :]
    assert "pendek.mp4" in notes[: notes.index("</ul>")]
    assert "Instagram" in notes[: notes.index("</ul>")]

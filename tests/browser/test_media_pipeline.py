"""Issue 10 in a real browser, end to end: Staf Humas upload several photos and a video at once
(progress bars; the video in small chunks, one of which breaks and is resumed from the server's
offset), the worker makes the renditions and the editor shows them, the focus point is set by
tapping a photo, and after the SOP the public article shows the renditions — never an original."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.media import imagegen, videogen
from tests.newsroom.test_services import walk_to
from warta.media.models import Asset
from warta.newsroom.models import NewsItem
from warta.publishing import services as publishing

pytestmark = pytest.mark.django_db(transaction=True)
CHUNK = 4 * 1024


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.WARTA_UPLOAD_DIR = tmp_path / "uploads"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def test_upload_resume_focus_and_the_published_renditions(
    people, new_item, open_browser, shoot, tmp_path
):
    item = new_item(photos=0)
    video = videogen.mp4_h264(tmp_path / "liputan.mp4", seconds=2.0, width=320, height=240)
    video_bytes = video.read_bytes()
    assert len(video_bytes) > 3 * CHUNK  # several chunks
    page = open_browser("humas")
    page.goto(f"/kerja/berita/{item.pk}/sunting/")
    page.locator("[data-uploader]").evaluate(f"root => root.dataset.chunk = '{CHUNK}'")

    offsets: list[tuple[str, int]] = []  # (upload URL, offset) of every chunk sent
    broken: list[int] = []

    def watch(route, request):
        if request.headers.get("x-http-method-override") == "PATCH":
            offset = int(request.headers["upload-offset"])
            offsets.append((request.url, offset))
            if offset == 2 * CHUNK and not broken:  # the video's third chunk
                broken.append(offset)
                route.abort("connectionreset")
                return
        route.continue_()

    page.route("**/kerja/unggah/**", watch)
    page.set_input_files(
        ".uploader-input",
        [
            {
                "name": "panggung.jpg",
                "mimeType": "image/jpeg",
                "buffer": imagegen.jpeg_bytes(640, 480, orientation=6, gps=True),
            },
            {"name": "peserta.jpg", "mimeType": "image/jpeg", "buffer": imagegen.jpeg_bytes()},
            {"name": "liputan.mp4", "mimeType": "video/mp4", "buffer": video_bytes},
        ],
    )
    rows = page.locator(".uploader-file")
    expect(rows).to_have_count(3)
    expect(rows.locator("progress")).to_have_count(3)
    expect(page.locator(".uploader-file.is-done")).to_have_count(3, timeout=30000)
    assert broken == [2 * CHUNK]
    video_url = next(url for url, offset in offsets if offset == 2 * CHUNK)
    sent = [offset for url, offset in offsets if url == video_url]
    # Resumed where it stopped: the broken chunk is sent again, nothing before it.
    assert sent[:4] == [0, CHUNK, 2 * CHUNK, 2 * CHUNK]
    assert sent == sorted(sent) and sent.count(0) == 1
    assert rows.locator("progress").evaluate_all("bars => bars.map(b => b.value)") == [100] * 3
    shoot(page, "media-uploaded")

    # The cards are there, processing; the worker makes the renditions and the editor follows.
    cards = page.locator(".media-card")
    expect(cards).to_have_count(3)
    run_worker()
    expect(page.locator('.media-card[data-state="ready"]')).to_have_count(3, timeout=20000)
    photo = Asset.objects.get(original_name="panggung.jpg")
    assert (photo.width, photo.height) == (640, 480)  # upright size, from EXIF orientation 6

    # Tap near the left edge of the first photo: its crops keep that point.
    picker = page.locator(f"#media-{photo.pk} .focus-picker img")
    box = picker.bounding_box()
    square_before = photo.renditions.get(spec="ig-square").file.name
    picker.click(position={"x": box["width"] * 0.1, "y": box["height"] * 0.5})
    expect(page.locator(f"#media-{photo.pk} .media-note")).to_be_visible()
    photo.refresh_from_db()
    assert photo.focus_x == pytest.approx(0.1, abs=0.03)
    run_worker()
    expect(page.locator(f'#media-{photo.pk}[data-state="ready"]')).to_be_visible(timeout=20000)
    assert photo.renditions.get(spec="ig-square").file.name != square_before

    # Alt texts typed in the cards and saved with the draft.
    for asset in Asset.objects.filter(kind="photo"):
        page.fill(f"#alt-{asset.pk}", f"Foto {asset.original_name} dari kegiatan")
    page.click("button[name=save]")
    expect(page.locator(".messages, [role=status]").first).to_be_visible()
    assert all(Asset.objects.filter(kind="photo").values_list("alt_text", flat=True))
    shoot(page, "media-editor-ready")

    item = walk_to(NewsItem.objects.get(pk=item.pk), people, "unggah")
    run = item.case.step_runs.get(finished_at__isnull=True)
    publishing.publish(item_id=item.pk, step_run_id=run.pk, user=people["humas"])
    item.refresh_from_db()

    reader = open_browser()
    reader.goto(f"/berita/{item.slug}/")
    images = reader.locator("article img")
    expect(images).to_have_count(2)
    sources = images.evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    assert all(re.fullmatch(r"/media/r/[0-9a-f]{64}\.jpg", src) for src in sources)
    loaded = images.evaluate_all("imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
    reader.wait_for_load_state("networkidle")
    loaded = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth > 0)")
    assert loaded == [True, True]
    source = reader.locator("article video source").get_attribute("src")
    assert re.fullmatch(r"/media/r/[0-9a-f]{64}\.mp4", source)
    assert reader.request.get(source).status == 200
    originals = [Path(a.original.name).name for a in Asset.objects.all()]
    html = reader.content()
    assert not any(name in html for name in originals)
    assert reader.request.get(f"/kerja/media/{photo.pk}/original/").url.endswith(
        f"/masuk/?next=/kerja/media/{photo.pk}/original/"
    )
    shoot(reader, "media-published-article")

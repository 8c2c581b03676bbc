"""The uploader in a real browser: several photos at once, a chunk whose connection breaks and
is resumed from the server's offset, and a refused file shown in red in its row."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.media import imagegen
from warta.media.models import Asset, Upload

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _upload_dir(settings, tmp_path):
    settings.WARTA_UPLOAD_DIR = tmp_path / "uploads"


def photo(name: str) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": imagegen.jpeg_bytes(64, 48)}


def test_several_photos_upload_and_a_broken_chunk_resumes(people, new_item, open_browser, shoot):
    item = new_item(photos=0)
    page = open_browser("humas")
    page.goto(f"/kerja/berita/{item.pk}/sunting/")
    broken = []

    def break_first_chunk(route, request):
        if request.headers.get("x-http-method-override") == "PATCH" and not broken:
            broken.append(request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/kerja/unggah/**", break_first_chunk)
    page.set_input_files(
        ".uploader-input", [photo("rapat-1.jpg"), photo("rapat-2.jpg"), photo("rapat-3.jpg")]
    )

    expect(page.locator(".uploader-file.is-done")).to_have_count(3)
    assert broken, "the first chunk was not interrupted"
    assert page.locator(".uploader-file progress").evaluate_all(
        "bars => bars.map(bar => bar.value)"
    ) == [100, 100, 100]
    assert sorted(Asset.objects.values_list("original_name", flat=True)) == [
        "rapat-1.jpg",
        "rapat-2.jpg",
        "rapat-3.jpg",
    ]
    assert not Upload.objects.exists()
    shoot(page, "media-upload-done")


def test_a_refused_file_stays_in_its_row_in_red(people, new_item, open_browser):
    item = new_item(photos=0)
    page = open_browser("humas", phone=True)
    page.goto(f"/kerja/berita/{item.pk}/sunting/")

    page.set_input_files(
        ".uploader-input",
        [{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": imagegen.html_bytes()}],
    )

    row = page.locator(".uploader-file.is-error")
    row.wait_for()
    assert "foto.jpg" in row.locator(".uploader-status").inner_text()
    assert not Asset.objects.exists()
    assert not Upload.objects.exists()

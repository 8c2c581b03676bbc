"""The Kabag's per-channel preview on a phone (390×844): the website article, an Instagram
carousel, a Facebook feed post, each in its own rendition; then Staf Humas's channel texts with
the live counter, in a real browser with the CSP enforced (the conftest fails on a violation).
Screenshots go to /tmp/helper_out/ui_*.png (and artifacts/screenshots/)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.newsroom.test_services import walk_to
from warta.newsroom import services as newsroom
from warta.publishing.models import ChannelAccount

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.publishing.urls_for_tests"),
]
OUT = Path("/tmp/helper_out")


@pytest.fixture(autouse=True)
def _starting_accounts(db):
    """The accounts migration 0002 creates (a transactional test flushes them after itself)."""
    import importlib

    starting = importlib.import_module(
        "warta.publishing.migrations.0002_channel_accounts"
    ).STARTING_ACCOUNTS
    for position, (code, name, platform, mode) in enumerate(starting):
        ChannelAccount.objects.get_or_create(
            code=code,
            defaults={"name": name, "platform": platform, "mode": mode, "position": position},
        )


def photo(name: str, hue: int) -> SimpleUploadedFile:
    """A 1200×800 landscape picture with a horizon and a sun, so crops are visible."""
    image = Image.new("RGB", (1200, 800), (40 + hue, 110, 190 - hue))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, 1200, 800), fill=(40, 120 + hue // 2, 60))
    draw.ellipse((820, 120, 1000, 300), fill=(250, 210, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def item_for_permission(people, step: str = "izin"):
    humas = people["humas"]
    item = newsroom.create_item(
        user=humas,
        title="Politeknik Imigrasi Gelar Kuliah Umum Keimigrasian bagi Taruna Baru",
        activity_name="Kuliah umum",
        activity_at=timezone.now() - dt.timedelta(hours=3),
        place="Aula Politeknik Imigrasi",
        covered_by="Sari Wulandari",
        body=(
            "<p>Politeknik Imigrasi menggelar kuliah umum tentang pelayanan keimigrasian bagi "
            "taruna baru. Kegiatan dibuka oleh Direktur dan diikuti 300 taruna.</p>"
        ),
        photos=[photo(f"foto{i}.jpg", i * 40) for i in range(3)],
    )
    newsroom.save_draft(
        item_id=item.pk,
        user=humas,
        base_version=item.edit_version,
        content={},
        channels=["website", "instagram", "facebook"],
        alt_texts={p.asset_id: f"Foto {n} kuliah umum" for n, p in enumerate(item.photos.all())},
    )
    from warta.media.tasks import process_asset

    for row in item.photos.select_related("asset"):
        process_asset.call(row.asset_id, row.asset.generation)
    ChannelAccount.objects.filter(code="instagram").update(
        handle="@poltekim", options={"hashtags": "#Imigrasi #Poltekim"}
    )
    return walk_to(item, people, step)


def test_kabag_previews_each_channel_on_a_phone(people, open_browser, shoot):
    OUT.mkdir(parents=True, exist_ok=True)
    item = item_for_permission(people)
    page = open_browser("kabag", phone=True)
    page.goto(f"/kerja/berita/{item.pk}/pratinjau-kanal/")
    expect(page.locator("#ch-website .ch-web-title")).to_contain_text("Kuliah Umum")
    carousel = page.locator("#ch-instagram .ch-carousel li")
    expect(carousel).to_have_count(3)
    expect(page.locator("#ch-facebook img.ch-photo")).to_be_visible()
    # Every picture loaded (private draft URLs served to the Kabag), none broken.
    # The carousel's photos load lazily: bring each into view, then wait until every picture
    # has loaded (a broken one never does, and the wait fails).
    images = page.locator(".ch-previews img")
    for index in range(images.count()):
        images.nth(index).scroll_into_view_if_needed()
    page.wait_for_function(
        "[...document.querySelectorAll('.ch-previews img')]"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    widths = images.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
    assert widths and all(w > 0 for w in widths)
    # Instagram gets the portrait crop, Facebook the landscape one.
    ig = page.locator("#ch-instagram .ch-carousel img").first.evaluate(
        "i => i.naturalHeight / i.naturalWidth"
    )
    fb = page.locator("#ch-facebook img.ch-photo").evaluate("i => i.naturalHeight / i.naturalWidth")
    assert ig > 1.0 > fb
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(OUT / "ui_preview_phone.png"), full_page=True)
    page.locator("#ch-instagram").screenshot(path=str(OUT / "ui_preview_instagram.png"))
    shoot(page, "publishing-channel-preview")


def test_channel_text_counter_and_refusal_keep_the_text(people, open_browser):
    OUT.mkdir(parents=True, exist_ok=True)
    item = item_for_permission(people, step="edit")  # texts are edited with the item
    x = ChannelAccount.objects.get(code="x")
    ChannelAccount.objects.filter(code="x").update(mode="manual")
    item.channels = ["website", "instagram", "x"]
    item.save(update_fields=["channels"])
    page = open_browser("humas", phone=True)
    page.goto(f"/kerja/berita/{item.pk}/kanal/")
    area = page.locator(f"#id_text_{x.pk}")
    area.fill("a" * 290)
    counter = page.locator(f"#count-{x.pk}")
    expect(counter).to_contain_text("290")
    expect(counter).to_have_class("char-count ch-over")
    page.screenshot(path=str(OUT / "ui_texts_phone.png"), full_page=True)
    page.locator("button[type=submit].btn-primary").click()
    expect(page.locator(".errors")).to_contain_text("280")
    expect(page.locator(f"#id_text_{x.pk}")).to_have_value("a" * 290)


def test_status_page_prepares_the_manual_post_and_records_its_address(people, open_browser):
    from tests.newsroom.conftest import open_run
    from warta.publishing import services as publishing
    from warta.publishing.models import Publication

    OUT.mkdir(parents=True, exist_ok=True)
    item = walk_to(item_for_permission(people), people, "unggah")
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    instagram = Publication.objects.get(item=item, channel="instagram")
    page = open_browser("humas", phone=True)
    page.goto(f"/kerja/berita/{item.pk}/terbit/")
    card = page.locator(f"#pub-{instagram.pk}")
    expect(card.locator(".ch-downloads a")).to_have_count(3)
    expect(card.locator("button.ch-copy")).to_be_visible()
    page.screenshot(path=str(OUT / "ui_status_phone.png"), full_page=True)
    card.locator("input[name=url]").fill("https://www.instagram.com/p/Cabc123/")
    card.locator("button[type=submit].btn-primary").click()
    expect(page.locator(".msg-success")).to_be_visible()
    instagram.refresh_from_db()
    assert instagram.state == "published"

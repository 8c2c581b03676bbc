"""A tour of the secondary pages, for screenshots and to prove they render in a real browser:
notifications, notification settings, Plh/Plt, deviations, unit overview, English UI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.newsroom.conftest import open_run
from warta.newsroom import services
from warta.notify.services import notify

pytestmark = pytest.mark.django_db(transaction=True)


def test_secondary_pages(people, new_item, open_browser, shoot):
    item = new_item("Rapat Koordinasi Humas")
    services.submit(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    kabag = open_browser("kabag")
    kabag.goto("/kerja/plh/")
    kabag.select_option("select[name=acting]", label="Rina Kartika (kasubbag)")
    today = timezone.localdate()
    kabag.fill("#id_starts_on", today.isoformat())
    kabag.fill("#id_ends_on", (today + dt.timedelta(days=3)).isoformat())
    kabag.fill("[name=reason]", "Kabag mengikuti diklat.")
    shoot(kabag, "70-plh-appoint")
    kabag.click("form >> button[type=submit].btn-primary")
    kabag.wait_for_load_state("load")
    kabag.wait_for_selector('td:has-text("Rina Kartika")')
    shoot(kabag, "71-plh-list")

    humas = open_browser("humas")
    humas.goto("/kerja/notifikasi/pengaturan/")
    shoot(humas, "72-notification-settings")
    kasubbag = open_browser("kasubbag")
    kasubbag.goto("/kerja/unit/")
    shoot(kasubbag, "73-unit-overview")
    kasubbag.goto("/kerja/penyimpangan/")
    shoot(kasubbag, "74-deviations-list")
    kasubbag.goto("/kerja/notifikasi/")
    assert kasubbag.locator("[data-notify-badge]").is_hidden()
    # A notification arrives while the page is open: the bell updates without a reload.
    notify(
        recipients=[people["kasubbag"]],
        kind="task",
        title="Tugas baru: 3. Periksa draft — Rapat Koordinasi Humas",
        body="Menunggu Anda.",
        url=f"/kerja/berita/{item.pk}/",
    )
    kasubbag.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    kasubbag.locator("[data-notify-badge]:not([hidden])").wait_for()
    assert kasubbag.locator("[data-notify-badge]").inner_text() == "1"
    kasubbag.reload()
    shoot(kasubbag, "75-notifications")

    humas.click("button[value=en]")
    humas.wait_for_selector("text=Notification settings")
    humas.goto("/kerja/")
    humas.wait_for_selector("h1:has-text('My tasks')")
    shoot(humas, "76-english-inbox")

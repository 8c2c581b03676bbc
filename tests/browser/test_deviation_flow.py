"""A late step in the browser: the red badge, the executor's explanation prompt, and the
supervisor's acknowledgement."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from warta.workflow.models import Deviation

pytestmark = pytest.mark.django_db(transaction=True)
WIB = ZoneInfo("Asia/Jakarta")


def test_late_badge_explanation_and_acknowledgement(people, new_item, open_browser, shoot):
    with time_machine.travel(dt.datetime(2026, 12, 23, 15, 50, tzinfo=WIB), tick=False):
        new_item("Liputan Menjelang Libur Natal")
    # Monday after the holidays, 20 minutes past the due time (07:50); the clock keeps running.
    with time_machine.travel(dt.datetime(2026, 12, 28, 8, 10, tzinfo=WIB), tick=True):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
        deviation = Deviation.objects.get(kind="waktu")
        assert deviation.attributed_to == people["humas"]

        humas = open_browser("humas")
        task = humas.locator(".task", has_text="Liputan Menjelang Libur Natal")
        assert "Terlambat" in task.locator(".pill-red").inner_text()
        prompt = humas.locator(".deviation-prompt")
        assert "1 catatan penyimpangan menunggu penjelasan Anda" in prompt.inner_text()
        shoot(humas, "60-late-badge-and-prompt")
        prompt.locator("a").click()
        humas.click(f"a[href='/kerja/penyimpangan/{deviation.pk}/']")
        humas.fill("#id_explanation", "Libur cuti bersama; naskah diselesaikan Senin pagi.")
        shoot(humas, "61-explain-deviation")
        humas.click("text=Kirim penjelasan")
        humas.wait_for_selector("text=Terima kasih. Penjelasan Anda telah dicatat.")
        humas.goto("/kerja/")  # the to-do is gone from "Tugas saya"
        assert humas.locator(".task", has_text="Liputan Menjelang Libur Natal").count() == 1
        assert humas.locator(".deviation-prompt").count() == 0

        kasubbag = open_browser("kasubbag")
        kasubbag.click("nav >> text=Penyimpangan")
        kasubbag.click(f"a[href='/kerja/penyimpangan/{deviation.pk}/']")
        assert "Libur cuti bersama" in kasubbag.content()
        kasubbag.click("button[value=acknowledged]")
        kasubbag.wait_for_selector("text=Tanggapan Anda telah dicatat.")
        shoot(kasubbag, "62-deviation-acknowledged")
    deviation.refresh_from_db()
    assert deviation.review == "acknowledged" and deviation.reviewed_by == people["kasubbag"]

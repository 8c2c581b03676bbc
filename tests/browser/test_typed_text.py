"""Nothing typed is lost: the note box shows its limit as one types, and the new coverage note
form keeps a copy in the browser until the note is saved."""

from __future__ import annotations

import re

import pytest

from tests.newsroom.test_services import walk_to
from warta.newsroom.models import NewsItem
from warta.workflow.limits import NOTE_MAX_LENGTH

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_note_box_counts_characters_up_to_its_limit(people, new_item, open_browser):
    item = walk_to(new_item(), people, "periksa")
    page = open_browser("kasubbag")
    page.goto(f"/kerja/berita/{item.pk}/")
    box = page.locator("#reason")
    assert box.get_attribute("maxlength") == str(NOTE_MAX_LENGTH)
    counter = page.locator("#reason-count")
    assert counter.inner_text() == f"0 / {NOTE_MAX_LENGTH}"
    box.fill("Sumber belum jelas.")
    assert counter.inner_text() == f"19 / {NOTE_MAX_LENGTH}"


def _copy(page, key: str):
    return page.evaluate("(key) => localStorage.getItem(key)", key)


def test_the_new_note_form_keeps_a_copy_until_it_is_saved(people, open_browser):
    humas = people["humas"]
    key = f"warta-new-item-{humas.pk}"
    page = open_browser("humas")
    dialogs = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.goto("/kerja/berita/baru/")
    page.fill("#id_title", "Bakti Sosial Taruna")
    page.fill("#id_activity_name", "Bakti sosial")
    page.fill("#id_notes", "Dihadiri 120 taruna; sambutan Direktur.")
    page.locator(".ProseMirror[contenteditable=true]").click()
    page.keyboard.type("Taruna membagikan sembako.")
    kept = "(key) => (localStorage.getItem(key) || '').includes('sembako')"
    page.wait_for_function(kept, arg=key)

    page.goto("/kerja/")  # the tab is left without saving
    page.goto("/kerja/berita/baru/")
    assert dialogs and "belum Anda simpan" in dialogs[-1]
    assert page.input_value("#id_title") == "Bakti Sosial Taruna"
    assert page.input_value("#id_notes") == "Dihadiri 120 taruna; sambutan Direktur."
    editor = page.locator(".ProseMirror[contenteditable=true]")
    assert "Taruna membagikan sembako." in editor.inner_text()

    page.fill("#id_activity_at", "2026-11-27T09:00")
    page.fill("#id_place", "Desa Cibodas")
    page.click("form#new-item-form button[type=submit]")
    page.wait_for_url(re.compile(r"/kerja/berita/\d+/$"))
    assert NewsItem.objects.filter(title="Bakti Sosial Taruna").exists()
    assert _copy(page, key) is None

    count = len(dialogs)
    page.goto("/kerja/berita/baru/")
    assert len(dialogs) == count  # nothing left to offer

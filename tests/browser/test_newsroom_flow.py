"""The SOP in a real browser: three people, three browser contexts."""

from __future__ import annotations

import io
import re
import threading

import pytest
from django.core.management import call_command
from PIL import Image

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import reload, walk_to
from warta.audit.models import Event
from warta.newsroom.models import NewsItem

pytestmark = pytest.mark.django_db(transaction=True)


def png_file() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 500), (20, 110, 170)).save(buffer, "PNG")
    return {"name": "wisuda.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def run_worker() -> None:
    """Make the renditions of the uploaded media (every queue, then stop)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def type_in_editor(page, text: str) -> None:
    editor = page.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def test_happy_path_through_all_seven_steps(people, open_browser, shoot, live_server):
    walk_happy_path(open_browser, shoot, ids=IDENTITY)


class _Identity(dict):
    def __missing__(self, key):
        return key


IDENTITY = _Identity()


def walk_happy_path(open_browser, shoot, *, ids, one_action=False) -> None:
    """The seven steps by three people in three browsers, then the public site. ``ids`` maps the
    shipped SOP's ids to the ones of the definition in use (a renamed copy runs it unchanged).
    ``one_action``: step 1 is finished from the new-note form itself."""
    humas = open_browser("humas")
    shoot(humas, "01-inbox-empty")
    humas.click("text=Catatan liputan baru")
    humas.fill("#id_title", "Wisuda Taruna Politeknik Imigrasi")
    humas.fill("#id_activity_name", "Wisuda taruna angkatan XXV")
    humas.fill("#id_activity_at", "2026-11-27T09:00")
    humas.fill("#id_place", "Auditorium Politeknik Imigrasi, Depok")
    humas.fill("#id_notes", "Sambutan Direktur; 250 wisudawan.")
    type_in_editor(humas, "Politeknik Imigrasi mewisuda 250 taruna.")
    humas.set_input_files("#id_photos", [png_file()])
    shoot(humas, "02-step1-new-note")
    if one_action:
        humas.click("text=Simpan dan lanjut menyunting")
        humas.wait_for_selector("text=Sekarang di langkah 2")
        item = NewsItem.objects.get()
        type_in_editor(humas, " Acara dihadiri pejabat kementerian.")
        humas.wait_for_selector("text=Tersimpan otomatis")
        assert "dihadiri pejabat" in reload(item).body
    else:
        humas.click("text=Simpan catatan liputan")
        humas.wait_for_selector("text=Catatan liputan disimpan.")
        item = NewsItem.objects.get()
        assert open_run(item).step_id == ids["catat"]
        humas.click("text=Lanjutkan catatan")
        type_in_editor(humas, " Acara dihadiri pejabat kementerian.")
        humas.wait_for_selector("text=Tersimpan otomatis")  # autosave reached the server
        assert "dihadiri pejabat" in reload(item).body
        shoot(humas, "03-step1-editor")
        # One action from step 1 into the editor of step 2 (no page hops, no "submitted").
        humas.click("text=Simpan dan lanjut menyunting")
        humas.wait_for_selector("text=Sekarang di langkah 2")
    assert open_run(reload(item)).step_id == ids["edit"]
    assert "/sunting/" in humas.url
    humas.fill("input[name^=caption-]", "Wisuda taruna angkatan XXV")
    humas.fill("input[name^=alt-]", "Para wisudawan di auditorium")  # required to publish
    humas.check("input[name=channels][value=instagram]")
    shoot(humas, "04-step2-edit")
    humas.click("text=Ajukan ke Kasubbag")
    humas.wait_for_selector("text=Diajukan. Sekarang di langkah 3")
    assert open_run(reload(item)).step_id == ids["periksa"]

    kasubbag = open_browser("kasubbag")
    kasubbag.wait_for_selector("text=Wisuda Taruna Politeknik Imigrasi")
    shoot(kasubbag, "05-kasubbag-inbox")
    kasubbag.click("text=Wisuda Taruna Politeknik Imigrasi")
    shoot(kasubbag, "06-step3-review")
    kasubbag.click(f"button[value={ids['setuju']}]")
    kasubbag.wait_for_selector("text=Sekarang di langkah 5")
    item = reload(item)
    assert open_run(item).step_id == ids["izin"]
    assert item.case.step_runs.get(step_id=ids["lapor_kabag"]).automatic

    run_worker()  # the photo's renditions, which the Kabag's preview shows
    kabag = open_browser("kabag", phone=True)
    kabag.click("text=Wisuda Taruna Politeknik Imigrasi")
    assert kabag.locator(".preview-frame >> text=Politeknik Imigrasi mewisuda 250 taruna.").count()
    assert kabag.locator(".preview-frame img[alt='Para wisudawan di auditorium']").count() == 1
    shoot(kabag, "07-step5-permit-phone")
    kabag.click(f"button[value={ids['izinkan']}]")
    kabag.wait_for_selector("text=Sekarang di langkah 6")

    kasubbag.goto(f"/kerja/berita/{item.pk}/")
    shoot(kasubbag, "08-step6-order")
    kasubbag.click("text=Selesai: Perintahkan pengunggahan")
    kasubbag.wait_for_selector("text=Sekarang di langkah 7")

    humas.goto("/kerja/")
    humas.click("text=Wisuda Taruna Politeknik Imigrasi")
    humas.fill("input[name=url_instagram]", "https://www.instagram.com/p/wisuda25/")
    shoot(humas, "09-step7-publish")
    humas.click("button[value=publish]")
    humas.wait_for_selector("text=Proses selesai: Terunggah.")
    shoot(humas, "10-item-uploaded-timeline")
    item = reload(item)
    assert item.case.status == "completed" and item.is_published
    assert set(item.publications.values_list("channel", flat=True)) == {"website", "instagram"}
    performers = {
        run.step_id: run.finished_by.username for run in item.case.step_runs.exclude(automatic=True)
    }
    assert performers == {
        ids["catat"]: "humas",
        ids["edit"]: "humas",
        ids["periksa"]: "kasubbag",
        ids["izin"]: "kabag",
        ids["perintah_unggah"]: "kasubbag",
        ids["unggah"]: "humas",
    }

    public = open_browser()
    public.goto("/")
    public.click("text=Wisuda Taruna Politeknik Imigrasi")
    public.wait_for_selector("h1:has-text('Wisuda Taruna Politeknik Imigrasi')")
    photo = public.locator("img[alt='Para wisudawan di auditorium']")
    assert photo.count() == 1
    assert re.fullmatch(r"/media/r/[0-9a-f]{64}\.jpg", photo.get_attribute("src"))
    assert public.locator("figcaption:has-text('Wisuda taruna angkatan XXV')").count() == 1
    shoot(public, "11-public-article")
    rss = public.request.get("/feed/rss/")
    assert rss.ok and "Wisuda Taruna Politeknik Imigrasi" in rss.text()
    assert f"/berita/{item.slug}/" in rss.text()


def _return(page, item, note: str) -> None:
    page.goto(f"/kerja/berita/{item.pk}/")
    page.fill("#reason", note)
    page.click("button[value=kembalikan]")
    page.wait_for_selector("text=Dikembalikan untuk revisi.")


def _revise(page, item, addition: str) -> None:
    page.goto(f"/kerja/berita/{item.pk}/sunting/")
    type_in_editor(page, addition)
    page.click("text=Ajukan ke Kasubbag")
    page.wait_for_selector("text=Diajukan.")


def test_return_for_revision_twice_shows_notes_and_diff(people, new_item, open_browser, shoot):
    item = walk_to(new_item(), people, "periksa")
    kasubbag, humas = open_browser("kasubbag"), open_browser("humas")

    _return(kasubbag, item, "Sebutkan nama narasumber kuliah umum.")
    humas.goto(f"/kerja/berita/{item.pk}/")
    notes = humas.locator(".callout-return")
    assert "Sebutkan nama narasumber kuliah umum." in notes.inner_text()
    shoot(humas, "20-returned-notes")
    _revise(humas, item, " Narasumber: Dr. Andi Wijaya.")

    kasubbag.goto(f"/kerja/berita/{item.pk}/")
    assert "Narasumber: Dr. Andi Wijaya." in kasubbag.locator(".diff ins").all_inner_texts()[-1]
    shoot(kasubbag, "21-review-diff-round1")
    _return(kasubbag, item, "Gelar narasumber belum lengkap.")
    humas.goto(f"/kerja/berita/{item.pk}/sunting/")
    assert "Gelar narasumber belum lengkap." in humas.locator(".callout-return").inner_text()
    _revise(humas, item, " (Guru Besar Hukum Keimigrasian)")

    kasubbag.goto(f"/kerja/berita/{item.pk}/")
    assert "Keimigrasian)" in " ".join(kasubbag.locator(".diff ins").all_inner_texts())
    assert kasubbag.locator(".pill-amber", has_text="Revisi 2").count() >= 1
    shoot(kasubbag, "22-review-diff-round2")
    kasubbag.click("button[value=setuju]")
    kasubbag.wait_for_selector("text=Sekarang di langkah 5")
    assert reload(item).case.revision_round == 2
    assert open_run(reload(item)).step_id == "izin"


def test_kabag_refuses_with_a_reason(people, new_item, open_browser, shoot):
    item = walk_to(new_item("Rapat Internal Terbatas"), people, "izin")
    kabag = open_browser("kabag", phone=True)
    kabag.goto(f"/kerja/berita/{item.pk}/")
    # The decision bar stays at the bottom of the phone screen, before the preview is read.
    bar = kabag.locator(".action-bar-sticky")
    box, height = bar.bounding_box(), kabag.viewport_size["height"]
    assert box["y"] + box["height"] <= height + 1 and box["y"] > height / 2, box
    kabag.click("button[value=tolak]")  # no reason: the page says so beside the note
    kabag.wait_for_selector("#reason-hint:not([hidden])")
    assert open_run(reload(item)).step_id == "izin"
    kabag.fill("#reason", "Materi rapat bersifat internal.")
    kabag.click("button[value=tolak]")
    kabag.wait_for_selector("text=Proses selesai: Ditolak.")
    shoot(kabag, "30-refused-phone")
    item = reload(item)
    assert item.case.status == "refused" and not item.is_published
    public = open_browser()
    assert public.goto("/").ok and public.locator("text=Rapat Internal Terbatas").count() == 0


def test_wrong_role_sees_no_button_and_forged_post_changes_nothing(
    people, new_item, open_browser, shoot
):
    item = walk_to(new_item(), people, "periksa")
    kabag = open_browser("kabag")
    kabag.goto(f"/kerja/berita/{item.pk}/")
    assert kabag.locator("button[value=setuju]").count() == 0
    assert kabag.locator("text=Menunggu").count() >= 1
    shoot(kabag, "40-wrong-role")
    events_before = Event.objects.count()
    token = next(c["value"] for c in kabag.context.cookies() if c["name"] == "csrftoken")
    response = kabag.request.post(
        f"/kerja/berita/{item.pk}/aksi/",
        form={
            "step_run": str(open_run(item).pk),
            "action": "setuju",
            "reason": "",
        },
        headers={"X-CSRFToken": token, "Referer": kabag.url},
    )
    assert response.status == 403
    assert "Hanya Kasubbag Umum dan Rumah Tangga" in response.text()
    assert open_run(reload(item)).step_id == "periksa"
    assert Event.objects.count() == events_before


def test_two_approvals_at_the_same_moment(people, new_item, make_user, open_browser):
    make_user("kasubbag2", "kasubbag_umum_rt", full_name="Dewi Lestari")
    item = walk_to(new_item(), people, "periksa")
    first, second = open_browser("kasubbag"), open_browser("kasubbag2")
    for page in (first, second):
        page.goto(f"/kerja/berita/{item.pk}/")
        page.locator("button[value=setuju]").wait_for()
    # Submit both forms without waiting, so the two requests reach the server together.
    script = "document.querySelector('button[value=setuju]').click()"
    barrier = threading.Barrier(1)
    barrier.wait()
    first.evaluate(script)
    second.evaluate(script)
    for page in (first, second):
        page.wait_for_load_state("load")
        page.wait_for_selector(".msg")
    texts = [page.locator(".messages").inner_text() for page in (first, second)]
    winners = [t for t in texts if "Sekarang di langkah 5" in t]
    losers = [t for t in texts if re.search(r"sudah diproses oleh .+ pada .+ WIB", t)]
    assert len(winners) == 1 and len(losers) == 1, texts
    item = reload(item)
    assert item.case.step_runs.filter(step_id="periksa", finished_at__isnull=False).count() == 1
    assert open_run(item).step_id == "izin"


def test_a_draft_is_unreachable_anonymously(people, new_item, open_browser):
    item = new_item("Draf Rahasia Belum Terbit")
    photo = item.photos.get()
    anonymous = open_browser()
    anonymous.goto(f"/kerja/berita/{item.pk}/")
    assert "/masuk/" in anonymous.url
    assert "Draf Rahasia" not in anonymous.content()
    for url in (
        f"/kerja/media/{photo.asset_id}/original/",
        f"/kerja/media/{photo.asset_id}/web-jpeg/",
        f"/media/r/{photo.asset.sha256}.jpg",
    ):
        response = anonymous.request.get(url, max_redirects=0)
        assert response.status in (302, 404)
        assert (
            response.headers.get("content-type", "").startswith("text/html")
            or response.status == 302
        )
    assert anonymous.request.get("/berita/draf-rahasia-belum-terbit/").status == 404
    assert "Draf Rahasia" not in anonymous.request.get("/feed/rss/").text()
    assert "Draf Rahasia" not in anonymous.request.get("/?q=Rahasia").text()


def test_autosave_survives_a_dropped_connection(people, new_item, open_browser, shoot):
    item = new_item("Liputan Saat Sinyal Hilang")
    humas = open_browser("humas")
    humas.goto(f"/kerja/berita/{item.pk}/sunting/")
    # The editor's own dialogs speak Indonesian too (its strings come from our djangojs catalogue).
    assert humas.evaluate("window.gettext('Edit Link')") == "Sunting tautan"
    humas.context.set_offline(True)
    type_in_editor(humas, " Paragraf yang ditulis tanpa koneksi.")
    humas.wait_for_selector("text=Belum tersimpan (tidak ada koneksi)")
    shoot(humas, "50-autosave-offline")
    assert "tanpa koneksi" not in reload(item).body
    humas.context.set_offline(False)
    humas.evaluate("window.dispatchEvent(new Event('online'))")
    humas.wait_for_selector("text=Tersimpan otomatis")
    assert "Paragraf yang ditulis tanpa koneksi." in reload(item).body

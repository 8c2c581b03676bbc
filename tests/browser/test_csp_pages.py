"""Every main page under the enforced Content-Security-Policy: no violation anywhere, and the
scripts that matter (rich-text editor, autosave, bell, language switch, admin) still work.

The ``csp_violations`` fixture (conftest) fails a test on any violation; these tests visit the
pages and exercise their scripts so that a violation would show."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE
from tests.browser.test_otp_setup import sign_in_with_second_factor
from tests.newsroom.conftest import open_run
from warta.newsroom import services
from warta.newsroom.models import NewsItem

pytestmark = pytest.mark.django_db(transaction=True)

# 120 characters without a space: it must wrap, not widen the page, on a phone.
LONG_TITLE = "Penandatanganan" + "NotaKesepahamanKerjasama" * 4 + "PoltekimDenganUniversitas"


def publish_directly(item: NewsItem, slug: str) -> None:
    """Test set-up only: make ``item`` public without walking the whole SOP in the browser."""
    NewsItem.objects.filter(pk=item.pk).update(slug=slug, published_at=timezone.now())


def assert_fits_width(page) -> None:
    """Nothing is wider than the screen: neither the page, nor a table in its scroll box, nor a
    heading, link or pill (each would have to be scrolled sideways to be read)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the screen at {page.url}"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.table-wrap, h1, .pill, td a, .task a.title')]
            .filter(e => e.scrollWidth > e.clientWidth + 1
                      || e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.className || e.tagName)"""
    )
    assert wide == [], f"too wide at {page.url}: {wide}"


def test_the_detector_notices_a_violation(people, open_browser, csp_violations):
    """The guard itself: an inline style set through an attribute is refused and recorded."""
    page = open_browser()
    page.goto("/masuk/")
    page.evaluate("document.body.setAttribute('style', 'background: red')")
    page.wait_for_function("true")
    page.wait_for_timeout(200)
    assert any("style-src" in text for text in csp_violations), csp_violations
    csp_violations.clear()  # expected here; any other violation still fails the test


def test_main_pages_have_no_csp_violations(
    people, new_item, make_user, open_browser, shoot, csp_violations
):
    item = new_item(LONG_TITLE)
    article = new_item("Kunjungan Kerja ke Kantor Imigrasi")
    publish_directly(article, "kunjungan-kerja")
    services.submit(item_id=article.pk, step_run_id=open_run(article).pk, user=people["humas"])

    public_long = new_item(LONG_TITLE)
    publish_directly(public_long, "nota-kesepahaman")
    NewsItem.objects.filter(pk=public_long.pk).update(
        body="<p>Nota kesepahaman ditandatangani 12 Mei 2026.</p><p>Bertindak cepat.</p>"
    )

    public = open_browser()
    for path in ("/", "/?q=kunjungan", "/berita/kunjungan-kerja/", "/berita/tidak-ada/", "/masuk/"):
        public.goto(path)
        public.wait_for_load_state("load")
    shoot(public, "90-csp-login")
    public.goto("/")
    assert "12 Mei 2026. Bertindak cepat." in public.inner_text(".news-card__excerpt >> nth=0")
    shoot(public, "95-public-index-long-title")
    public.set_viewport_size(PHONE)
    assert_fits_width(public)
    public.goto("/berita/nota-kesepahaman/")
    assert_fits_width(public)
    shoot(public, "96-public-article-long-title")

    humas = open_browser("humas")
    for path in (
        "/kerja/",
        f"/kerja/berita/{item.pk}/",
        f"/kerja/berita/{item.pk}/versi/",
        "/kerja/berita/baru/",
        "/kerja/penyimpangan/",
        f"/kerja/penyimpangan/orang/{people['humas'].pk}/",
        "/kerja/notifikasi/",
        "/kerja/notifikasi/pengaturan/",
        "/kerja/plh/",
    ):
        humas.goto(path)
        humas.wait_for_load_state("load")
    # The rich-text editor (its import map carries the nonce), its toolbar and the autosave.
    humas.goto(f"/kerja/berita/{item.pk}/sunting/")
    editor = humas.locator(".ProseMirror[contenteditable=true]")
    editor.click()
    humas.keyboard.press("Control+End")
    humas.keyboard.type(" Ditulis di bawah CSP.")
    humas.wait_for_selector("text=Tersimpan otomatis")
    assert "Ditulis di bawah CSP." in NewsItem.objects.get(pk=item.pk).body
    # The toolbar's titles are in Indonesian (editor-i18n.js with the JavaScript catalogue).
    titles = humas.eval_on_selector_all(
        ".prose-menubar [title]", "elements => elements.map(e => e.title)"
    )
    assert {"Paragraf", "Tebal", "Miring", "Garis bawah", "Urungkan"} <= set(titles), titles
    assert not {"paragraph", "bold", "italic", "underline", "undo", "redo"} & set(titles)
    options = humas.eval_on_selector_all(
        ".prose-menubar__option", "elements => elements.map(e => e.textContent)"
    )
    assert options == ["Judul 2", "Judul 3", "Paragraf"], options
    humas.click(".prose-menubar button[title='Tebal']")
    shoot(humas, "91-csp-editor")
    # The notification bell polls the count endpoint (connect-src 'self').
    humas.goto("/kerja/")
    humas.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    humas.wait_for_timeout(300)
    humas.set_viewport_size(PHONE)  # the long title in "My tasks" on a phone
    humas.reload()
    assert_fits_width(humas)
    humas.goto(f"/kerja/berita/{item.pk}/sunting/")
    assert_fits_width(humas)

    kasubbag = open_browser("kasubbag", phone=True)
    kasubbag.goto("/kerja/unit/")
    assert_fits_width(kasubbag)
    shoot(kasubbag, "92-unit-long-title")
    kasubbag.goto(f"/kerja/berita/{item.pk}/")
    assert_fits_width(kasubbag)
    shoot(kasubbag, "93-item-long-title")
    kasubbag.goto("/kerja/")
    assert_fits_width(kasubbag)
    # The language switch posts a form (form-action 'self') and redirects back.
    kasubbag.click("button[value=en]")
    kasubbag.wait_for_selector("h1:has-text('My tasks')")
    kasubbag.click("button[value=id]")
    kasubbag.wait_for_selector("h1:has-text('Tugas saya')")

    make_user("admin", superuser=True)
    admin = open_browser()
    sign_in_with_second_factor(admin, "admin")  # the admin requires the second factor
    for path in (
        "/admin/",
        "/admin/newsroom/newsitem/",
        f"/admin/newsroom/newsitem/{item.pk}/change/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/sop/sopversion/",
        f"/admin/sop/sopversion/{item.case.sop_id}/change/",
        "/admin/worktime/weekdayhours/",
        "/admin/worktime/weekdayhours/preview/?start=2026-11-27T16:20&duration=30m",
    ):
        admin.goto(path)
        admin.wait_for_load_state("load")
    # The admin's own scripts: the changelist's select-all checkbox and the actions bar.
    admin.goto("/admin/auth/user/")
    admin.check("#action-toggle")
    admin.wait_for_selector(".action-counter:has-text('5 dari 5 terpilih')")
    assert admin.locator("input.action-select:checked").count() == 5
    shoot(admin, "94-csp-admin-changelist")
    assert not csp_violations

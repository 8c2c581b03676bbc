"""Pre-rendered public pages (warta.site.pages): served from their files with the rendered
page's headers, rendered on a miss, and exact after every change of what the public sees — a
publication, a correction, a withdrawal, a change of the institution's settings. Items are
published, corrected and withdrawn through the services, as people do it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import walk_to
from tests.publishing.test_services import at_upload, reload
from warta.newsroom import services as newsroom
from warta.publishing import services as publishing
from warta.site import pages

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
)
FIXED_PATHS = ["/", "/feed/rss/", "/feed/atom/", "/sitemap.xml", "/sitemap-home.xml"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.WARTA_SITE_URL = "http://testserver"
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.fixture
def publish(people, new_item, django_capture_on_commit_callbacks):
    """Publish a new item through the SOP; the commit's work (rendering) runs."""

    def make(title: str):
        with django_capture_on_commit_callbacks(execute=True):
            item = at_upload(people, new_item, title=title)
            publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
        item = reload(item)
        assert item.case.status == "completed" and item.slug
        return item

    return make


def root() -> Path:
    return pages.local_root()


def stored(path: str) -> str:
    """The stored file of ``path`` ("" when there is none)."""
    file = root() / pages.name_for(path)
    return file.read_text() if file.exists() else ""


def every_file() -> dict[str, str]:
    return {
        p.relative_to(root()).as_posix(): p.read_text()
        for p in root().rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def fetch(path: str, client: Client | None = None, **headers):
    response = (client or Client()).get(path, **headers)
    assert response.status_code == 200, (path, response.status_code)
    return response


def warm(*paths: str) -> None:
    """Request every page once: each is rendered and stored."""
    for path in paths:
        fetch(path)
        assert stored(path), path


def sitemap_locations() -> list[str]:
    index = fetch("/sitemap.xml").content.decode()
    parts = re.findall(r"<loc>http://testserver(/sitemap-\d+\.xml)</loc>", index)
    found = []
    for part in parts:
        found += re.findall(r"<loc>([^<]+)</loc>", fetch(part).content.decode())
    return found


# --- serving ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_is_rendered_once_then_served_from_its_file(publish, django_assert_num_queries):
    item = publish("Upacara Hari Bhakti Imigrasi")
    article = f"/berita/{item.slug}/"
    pages.delete([pages.name_for(article)])
    rendered = fetch(article)
    assert "Upacara Hari Bhakti Imigrasi" in rendered.content.decode()
    assert stored(article) == rendered.content.decode()
    client = Client()
    with django_assert_num_queries(0):  # no session, no query, no template
        served = fetch(article, client)
    assert served.content == rendered.content
    assert "Set-Cookie" not in served.headers and not served.cookies
    assert served["ETag"] == rendered["ETag"] == pages.etag_of(served.content)
    assert served["Last-Modified"] == rendered["Last-Modified"]
    assert served["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert served["Content-Language"] == "id"


@pytest.mark.django_db
@pytest.mark.parametrize("https", [False, True])
def test_a_stored_page_has_the_rendered_pages_security_headers(publish, settings, https):
    if https:
        settings.SECURE_HSTS_SECONDS = 3600
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    item = publish("Kunjungan kerja")
    extra = {"HTTP_X_FORWARDED_PROTO": "https"} if https else {}
    for path in [f"/berita/{item.slug}/", *FIXED_PATHS, "/sitemap-1.xml"]:
        pages.delete([pages.name_for(path)])
        rendered = Client().get(path, **extra)
        served = Client().get(path, **extra)
        assert stored(path)
        for header in SECURITY_HEADERS:
            assert served.headers.get(header) == rendered.headers.get(header), (path, header)
        assert served["Content-Type"] == rendered["Content-Type"]
    assert ("Strict-Transport-Security" in served.headers) is https
    assert "default-src 'self'" in served["Content-Security-Policy"]
    assert "nonce" not in served["Content-Security-Policy"]
    assert served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_content_types_conditional_requests_and_head(publish):
    item = publish("Pelantikan pejabat")
    types = {
        f"/berita/{item.slug}/": "text/html; charset=utf-8",
        "/": "text/html; charset=utf-8",
        "/feed/rss/": "application/rss+xml; charset=utf-8",
        "/feed/atom/": "application/atom+xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/sitemap-1.xml": "application/xml; charset=utf-8",
    }
    for path, content_type in types.items():
        for attempt in ("rendered", "stored"):
            response = fetch(path)
            assert response["Content-Type"] == content_type, (path, attempt)
        etag, modified = response["ETag"], response["Last-Modified"]
        assert Client().get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert Client().get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        not_modified = Client().get(path, HTTP_IF_NONE_MATCH=etag)
        assert not_modified["ETag"] == etag and not_modified.content == b""
        assert Client().get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200
        old = "Mon, 01 Jan 2001 00:00:00 GMT"
        assert Client().get(path, HTTP_IF_MODIFIED_SINCE=old).status_code == 200
        head = Client().head(path)
        assert head.status_code == 200 and head.content == b""
        assert head["ETag"] == etag and head["Content-Type"] == content_type
    # After the page's file is deleted (a change), an unchanged page still answers 304.
    article = f"/berita/{item.slug}/"
    etag = fetch(article)["ETag"]
    pages.delete([pages.name_for(article)])
    assert Client().get(article, HTTP_IF_NONE_MATCH=etag).status_code == 304


@pytest.mark.django_db
def test_a_page_is_the_same_for_everyone(publish, people):
    item = publish("Seminar nasional")
    article = f"/berita/{item.slug}/"
    staff = Client()
    staff.force_login(people["humas"])
    staff.cookies["django_language"] = "en"
    pages.delete([pages.name_for(article)])
    seen_by_staff = fetch(article, staff).content  # rendered on this request
    assert b'lang="id"' in seen_by_staff and b"<dt>Terbit</dt>" in seen_by_staff
    assert b"csrf" not in seen_by_staff.lower() and b"humas" not in seen_by_staff
    assert fetch(article).content == seen_by_staff
    # Another Host name does not leak into the stored page.
    other = Client(HTTP_HOST="127.0.0.1")
    pages.delete([pages.name_for("/feed/rss/")])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.ALLOWED_HOSTS", ["testserver", "127.0.0.1"])
        feed = fetch("/feed/rss/", other).content.decode()
    assert "http://testserver/berita/" in feed and "127.0.0.1" not in feed


@pytest.mark.django_db
def test_query_strings_and_other_methods_reach_django(publish):
    item = publish("Lomba olahraga")
    article = f"/berita/{item.slug}/"
    warm(article, "/")
    assert Client().get("/?q=olahraga").content != fetch("/").content  # a search
    assert "Lomba olahraga" in Client().get("/?q=olahraga").content.decode()
    assert Client().get("/?page=1")["Location"] == "/"
    assert Client().post(article).status_code == 405
    # A Host Warta does not serve is refused as on any page, stored or not.
    assert Client(HTTP_HOST="evil.example").get(article).status_code == 400
    # Plain HTTP where HTTPS is required is sent to HTTPS, stored or not.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.conf.settings.SECURE_SSL_REDIRECT", True)
        redirected = Client().get(article)
    assert redirected.status_code == 301
    assert redirected["Location"] == f"https://testserver{article}"
    assert "Lomba olahraga" in fetch(article + "?utm_source=x").content.decode()


@pytest.mark.django_db
def test_a_page_rendered_during_a_change_is_not_kept(publish, monkeypatch):
    item = publish("Rapat koordinasi")
    article = f"/berita/{item.slug}/"
    pages.delete([pages.name_for(article)])
    original = pages.render

    def render_while_a_change_commits(path):
        response = original(path)
        pages.new_generation()
        return response

    monkeypatch.setattr(pages, "render", render_while_a_change_commits)
    assert "Rapat koordinasi" in fetch(article).content.decode()  # answered
    assert stored(article) == ""  # not kept: rendered again on the next request
    monkeypatch.setattr(pages, "render", original)
    fetch(article)
    assert stored(article)


# --- invalidation -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_correction_updates_every_affected_page_at_once_and_a_draft_never_shows(
    publish, people, django_capture_on_commit_callbacks
):
    other = publish("Kuliah umum hukum")
    item = publish("Wisuda Taruna Angkatan 25")
    article = f"/berita/{item.slug}/"
    affected = [article, *FIXED_PATHS, "/sitemap-1.xml"]
    warm(*affected, f"/berita/{other.slug}/")

    with django_capture_on_commit_callbacks(execute=True):
        publishing.start_correction(item_id=item.pk, user=people["humas"], reason="Salah angka")
        item = reload(item)
        newsroom.save_draft(
            item_id=item.pk,
            user=people["humas"],
            base_version=item.edit_version,
            content={"title": "Wisuda Taruna Angkatan 26", "body": "<p>Angka-benar-26.</p>"},
        )
        item = walk_to(item, people, "unggah")
    # The draft of the correction is in no stored page and no answer.
    for path in affected:
        assert "Angkatan 26" not in fetch(path).content.decode(), path
    assert not any("Angkatan 26" in text or "Angka-benar" in text for text in every_file().values())
    assert "Angkatan 25" in stored(article)

    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    # At once: the article, the index, both feeds are stored anew, with the corrected text.
    for path in [article, "/", "/feed/rss/", "/feed/atom/"]:
        assert "Wisuda Taruna Angkatan 26" in stored(path), path
        assert "Wisuda Taruna Angkatan 26" in fetch(path).content.decode(), path
    assert "Angka-benar-26." in stored(article)
    assert not any("Angkatan 25" in text for text in every_file().values())
    assert f"/berita/{item.slug}/" in stored("/sitemap-1.xml")
    assert stored("/sitemap.xml")
    # The other article was not touched.
    assert "Kuliah umum hukum" in stored(f"/berita/{other.slug}/")


@pytest.mark.django_db
def test_a_withdrawal_removes_the_item_from_every_page_at_once(
    publish, people, django_capture_on_commit_callbacks
):
    kept = publish("Berita yang tetap")
    item = publish("Berita yang ditarik")
    article = f"/berita/{item.slug}/"
    warm(article, *FIXED_PATHS, "/sitemap-1.xml", f"/berita/{kept.slug}/")
    assert "Berita yang ditarik" in stored("/feed/rss/")

    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(item_id=item.pk, user=people["kasubbag"], reason="Salah kirim")
    assert stored(article) == ""
    assert Client().get(article).status_code == 404
    assert stored(article) == ""  # a 404 is not stored
    for path in ["/", "/feed/rss/", "/feed/atom/", "/sitemap-1.xml"]:
        assert "Berita yang tetap" in stored(path) or item.slug not in stored(path), path
        assert item.slug not in fetch(path).content.decode(), path
    assert not any(
        "Berita yang ditarik" in text or item.slug in text for text in every_file().values()
    )
    assert "Berita yang tetap" in stored("/feed/rss/")


@pytest.mark.django_db
def test_a_rolled_back_change_costs_a_render_not_a_wrong_page(publish, people):
    from django.db import transaction

    item = publish("Berita yang hampir ditarik")
    article = f"/berita/{item.slug}/"
    warm(article, "/")

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        publishing.withdraw(item_id=item.pk, user=people["kasubbag"], reason="Batal")
        assert stored(article) == ""  # deleted inside the transaction
        raise Abort
    assert "Berita yang hampir ditarik" in fetch(article).content.decode()
    assert stored(article)


@pytest.mark.django_db
def test_every_change_enqueues_a_repair_task_that_renders_only_after_a_crash(
    publish, people, new_item, django_capture_on_commit_callbacks, monkeypatch
):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from warta.site import invalidation
    from warta.site.tasks import render_public_pages

    item = publish("Berita dengan tugas")
    tasks = DBTaskResult.objects.filter(task_path="warta.site.tasks.render_public_pages")
    task = tasks.get(args_kwargs__args__0=[item.pk])
    assert task.run_after > timezone.now()  # after the commit's own work
    # The commit's work rendered the pages and marked the change: the task renders nothing.
    renders = []
    monkeypatch.setattr(pages, "refresh", lambda path: renders.append(path))
    render_public_pages.call(*task.args_kwargs["args"])
    assert renders == []
    assert not (root() / pages.REBUILT_DIR).exists() or not any(
        (root() / pages.REBUILT_DIR).iterdir()
    )  # the mark is taken
    monkeypatch.undo()

    # A crash right after the commit: the commit's work never ran, the task renders everything.
    with django_capture_on_commit_callbacks(execute=False):
        other = at_upload(people, new_item, title="Berita sesudah mogok")
        publishing.publish(item_id=other.pk, step_run_id=open_run(other).pk, user=people["humas"])
    other = reload(other)
    assert stored(f"/berita/{other.slug}/") == ""
    task = tasks.get(args_kwargs__args__0=[other.pk])
    render_public_pages.call(*task.args_kwargs["args"])
    assert other.title in stored(f"/berita/{other.slug}/")
    assert other.title in stored("/feed/atom/")
    assert stored("/sitemap.xml")

    # The commit's work failed half-way: no mark, the task renders again.
    pages.clear()
    monkeypatch.setattr(invalidation.pages, "mark_rebuilt", lambda change: None)
    invalidation.rebuild_committed_change([other.pk], "ab12")
    monkeypatch.undo()
    pages.clear()
    assert invalidation.repair_change([other.pk], "ab12") is True
    assert other.title in stored(f"/berita/{other.slug}/")
    # A task enqueued before changes were marked (no change token) always renders.
    assert invalidation.repair_change([item.pk]) is True


@pytest.mark.django_db
def test_index_pages_past_the_first_few_are_deleted_not_rendered(publish, settings):
    from warta.site import invalidation

    first = publish("Berita pertama")
    pages._write("halaman/7/index.html", b"old")
    pages._write("halaman/2/index.html", b"old")
    invalidation.rebuild_after_change([first.pk])
    assert not (root() / "halaman/7/index.html").exists()
    assert not (root() / "halaman/2/index.html").exists()  # only one page exists now
    assert "Berita pertama" in stored("/")


# --- settings -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_settings_change_clears_every_page_at_start_up(publish, settings):
    item = publish("Berita lembaga")
    assert pages.check_fingerprint() >= 0
    assert pages.check_fingerprint() == 0  # unchanged: nothing deleted
    article = f"/berita/{item.slug}/"
    warm(article, *FIXED_PATHS)
    settings.WARTA_INSTITUTION_NAME = "Balai Pelatihan Baru"
    settings.WARTA_SITE_DESCRIPTION = "Deskripsi baru."
    assert pages.check_fingerprint() >= len(FIXED_PATHS) + 1
    assert every_file() == {}
    for path in [article, "/", "/feed/rss/", "/feed/atom/"]:
        assert "Balai Pelatihan Baru" in fetch(path).content.decode(), path
        assert "Balai Pelatihan Baru" in stored(path), path
    settings.WARTA_SITE_URL = "https://berita.example.go.id"
    assert pages.check_fingerprint() > 0
    assert "https://berita.example.go.id/berita/" in fetch("/feed/rss/").content.decode()


@pytest.mark.django_db
def test_site_rebuild_renders_every_page(publish, settings):
    settings.WARTA_SITEMAP_PART_SIZE = 1
    items = [publish(f"Berita ke-{n}") for n in range(2)]
    pages.clear()
    call_command("site", "rebuild", verbosity=0)
    files = every_file()
    for item in items:
        assert item.title in files[f"berita/{item.slug}/index.html"]
    assert {"index.html", "feed/rss/index.rss", "feed/atom/index.atom", "sitemap.xml"} <= set(files)
    assert len([name for name in files if re.fullmatch(r"sitemap-\d+\.xml", name)]) == 2
    assert pages.check_fingerprint() == 0


# --- the sitemap --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sitemap_lists_every_published_article_once_over_several_parts(
    publish, new_item, people, settings, django_capture_on_commit_callbacks
):
    settings.WARTA_SITEMAP_PART_SIZE = 3
    published = []
    drafts = []
    for n in range(5):
        published.append(publish(f"Berita terbit {n}"))
        drafts.append(new_item(f"Draf rahasia {n}"))
    withdrawn = publish("Berita ditarik nanti")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.withdraw(item_id=withdrawn.pk, user=people["kasubbag"], reason="Ralat")
    locations = sitemap_locations()
    expected = [f"http://testserver/berita/{item.slug}/" for item in published]
    assert sorted(locations) == sorted(expected)  # each exactly once
    parts = re.findall(r"sitemap-(\d+)\.xml", fetch("/sitemap.xml").content.decode())
    assert len(parts) >= 3
    # Each part's lastmod (grouped in the database) is the newest change of its articles.
    from warta.publishing.selectors import published_items
    from warta.site import sitemaps

    newest = {}
    for pk, published_at, updated_at in published_items().values_list(
        "pk", "published_at", "updated_at"
    ):
        part, when = (pk - 1) // 3 + 1, max(published_at, updated_at)
        newest[part] = max(newest.get(part, when), when)
    assert sitemaps.parts() == newest
    assert sorted(newest) == sorted(int(part) for part in parts)
    for part in parts:
        assert fetch(f"/sitemap-{part}.xml").content.decode().count("<url>") <= 3
    files = every_file()
    for draft in drafts:
        assert not any(draft.title in text for text in files.values())
    assert not any(withdrawn.title in text for text in files.values())


@pytest.mark.django_db
def test_media_made_ready_after_publication_updates_the_article(
    publish, django_capture_on_commit_callbacks
):
    item = publish("Berita dengan foto")
    article = f"/berita/{item.slug}/"
    warm(article)
    assert "/media/r/" not in stored(article)  # its photo is still being prepared
    with django_capture_on_commit_callbacks(execute=True):
        call_command("media", "process", verbosity=0)
    assert "/media/r/" in stored(article)
    assert "/media/r/" in fetch(article).content.decode()

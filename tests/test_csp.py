"""The Content-Security-Policy: on every response (public, newsroom, admin, errors), strict (no
'unsafe-inline'), and no page or template relies on inline script, style or event handlers."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.http import HttpRequest
from django.urls import include, path
from django.utils import timezone

from tests.newsroom.conftest import new_item, people  # noqa: F401 - shared fixtures
from warta.newsroom.models import NewsItem

SRC = Path(__file__).resolve().parent.parent / "src" / "warta"
EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}


def boom(request: HttpRequest):
    raise RuntimeError("a server error for the test")


# This module is also the URLconf of the error-page test: Warta's URLs plus one that fails.
urlpatterns = [path("test-boom/", boom), path("", include("warta.config.urls"))]


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.status_code} {response.request}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def without_nonce(directives: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        name: [v for v in values if not v.startswith("'nonce-")]
        for name, values in directives.items()
    }


@pytest.fixture
def published(new_item):  # noqa: F811
    item = new_item("Kunjungan Kerja")
    NewsItem.objects.filter(pk=item.pk).update(slug="kunjungan-kerja", published_at=timezone.now())
    return item


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", superuser=True)


PUBLIC = ["/", "/?q=x", "/berita/kunjungan-kerja/", "/feed/rss/", "/sitemap.xml", "/masuk/"]
NEWSROOM = ["/kerja/", "/kerja/berita/baru/", "/kerja/penyimpangan/", "/kerja/plh/"]
ADMIN = ["/admin/", "/admin/newsroom/newsitem/", "/admin/sop/sopversion/"]


@pytest.mark.django_db
def test_every_kind_of_page_carries_the_policy(client, people, published, admin_user):  # noqa: F811
    seen = []
    for url in PUBLIC:
        seen.append((url, client.get(url)))
    client.force_login(people["humas"])
    for url in [*NEWSROOM, f"/kerja/berita/{published.pk}/"]:
        seen.append((url, client.get(url)))
    client.force_login(admin_user)
    for url in ADMIN:
        seen.append((url, client.get(url)))
    for url, response in seen:
        assert response.status_code in (200, 302), url
        assert without_nonce(policy(response)) == EXPECTED, url


@pytest.mark.django_db
@pytest.mark.urls("tests.test_csp")
def test_error_responses_carry_the_policy(client, people):  # noqa: F811
    assert client.get("/berita/tidak-ada/").status_code == 404
    assert without_nonce(policy(client.get("/berita/tidak-ada/"))) == EXPECTED
    client.raise_request_exception = False
    error = client.get("/test-boom/")
    assert error.status_code == 500
    assert without_nonce(policy(error)) == EXPECTED
    client.force_login(people["humas"])
    forbidden = client.get("/admin/")  # not staff: the admin's login page
    assert without_nonce(policy(forbidden)) == EXPECTED
    refused = client.post("/kerja/berita/baru/", {}, HTTP_X_CSRFTOKEN="wrong")
    assert without_nonce(policy(refused)) == EXPECTED


def test_the_policy_allows_nothing_inline_and_denies_framing(settings):
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    everything = " ".join(str(v) for values in directives.values() for v in values)
    assert "unsafe-inline" not in everything and "unsafe-eval" not in everything
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


def test_a_media_host_is_added_to_images_and_media_only():
    env = {**os.environ, "WARTA_MEDIA_HOST": "https://media.example.go.id/"}
    code = (
        "import json; from warta.config import settings as s;"
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES'], default=str))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    directives = json.loads(out)
    assert "https://media.example.go.id" in directives["img-src"]
    assert "https://media.example.go.id" in directives["media-src"]
    assert "https://media.example.go.id" not in directives["script-src"]
    assert "https://media.example.go.id" not in directives["default-src"]


def test_the_editor_style_hash_matches_the_installed_editor(settings):
    """Tiptap injects ProseMirror's base CSS as one <style>; the policy allows exactly that text.
    After upgrading django-prose-editor this fails with the hash to put in settings."""
    import django_prose_editor

    script = Path(django_prose_editor.__file__).parent / "static/django_prose_editor/editor.js"
    source = script.read_text()
    match = re.search(r"`(\.ProseMirror \{[^`]*)`", source)
    assert match, "the editor no longer embeds its base CSS: check style-src in the browser"
    digest = base64.b64encode(hashlib.sha256(match.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.PROSE_EDITOR_STYLE_HASH


class InlineFinder(HTMLParser):
    """Records inline scripts, styles and event handlers in a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self.nonces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
        if tag == "style":
            self.found.append("<style>")
        if tag == "script" and "src" not in attributes:
            if attributes.get("type") == "application/json":  # data, never executed
                return
            if attributes.get("nonce"):
                self.nonces.append(attributes["nonce"])
            else:
                self.found.append(f"<script {attributes}> without src or nonce")


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script_or_style(client, people, published, admin_user):  # noqa: F811
    urls = [*PUBLIC[:3], "/masuk/"]
    humas_urls = [
        *NEWSROOM,
        f"/kerja/berita/{published.pk}/",
        f"/kerja/berita/{published.pk}/sunting/",
        f"/kerja/berita/{published.pk}/versi/",
        "/kerja/notifikasi/",
        "/kerja/notifikasi/pengaturan/",
        f"/kerja/penyimpangan/orang/{people['humas'].pk}/",
    ]
    pages = [client.get(url) for url in urls]
    client.force_login(people["humas"])
    pages += [client.get(url, follow=True) for url in humas_urls]
    client.force_login(admin_user)
    pages += [client.get(url) for url in [*ADMIN, "/admin/worktime/weekdayhours/preview/"]]
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        finder = InlineFinder()
        finder.feed(response.content.decode())
        assert finder.found == [], response.request["PATH_INFO"]
        header_nonce = re.findall(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        # A nonce only where a page needs one (the editor's import map), and then the header's.
        assert set(finder.nonces) <= set(header_nonce), response.request["PATH_INFO"]
        assert bool(header_nonce) == bool(finder.nonces), response.request["PATH_INFO"]


@pytest.mark.django_db
def test_the_editor_import_map_carries_this_responses_nonce(client, people, new_item):  # noqa: F811
    item = new_item()
    client.force_login(people["humas"])
    first, second = (client.get(f"/kerja/berita/{item.pk}/sunting/") for _ in range(2))
    nonces = []
    for response in (first, second):
        match = re.search(r'<script type="importmap" nonce="([^"]+)">', response.content.decode())
        assert match, "the editor's import map lost its nonce"
        assert f"'nonce-{match.group(1)}'" in response.headers["Content-Security-Policy"]
        nonces.append(match.group(1))
    assert nonces[0] != nonces[1]  # a fresh nonce per response


# Templates whose output is not a page in a browser: e-mail bodies need inline styles, since
# mail programs ignore stylesheets, and no CSP applies to them.
NOT_PAGES = ("/email/",)
INLINE_IN_TEMPLATE = re.compile(
    r"<style\b|\sstyle=|\son[a-z]+=|<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_style_or_handler():
    offenders = []
    for template in sorted(SRC.glob("*/templates/**/*.html")):
        if any(part in template.as_posix() for part in NOT_PAGES):
            continue
        for number, line in enumerate(template.read_text().splitlines(), 1):
            if INLINE_IN_TEMPLATE.search(line):
                offenders.append(f"{template.relative_to(SRC)}:{number}: {line.strip()[:100]}")
    assert offenders == []

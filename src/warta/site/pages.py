"""Pre-rendered public pages: every published page (an article, the index pages, the feeds, the
sitemap) is rendered once per change and kept as a file holding the exact response body, in the
``public_pages`` storage (``<WARTA_DATA_DIR>/public/`` by default). Warta's first middleware
(``warta.site.middleware``) and nginx (deploy/nginx/warta.conf) serve those files without
rendering; a missing file is rendered on its first request (``produce``) and written then.

A page's headers are derived from its file: the content type from its name's extension, the
ETag from the hash of its bytes, Last-Modified from its modification time (a write that would
not change the bytes leaves the file, and so its time, alone).

Files are written atomically for readers (a temporary file renamed over the old one on local
disk; a plain save elsewhere). Two guards keep a page from going stale:

- the *generation*: a random token in ``.generation``, replaced after every committed change of
  public content. A page rendered while a change committed is deleted right after its write (it
  may hold the old content), so its next request renders it again;
- the *fingerprint* of everything a page depends on besides the database (the institution's
  settings, the language, Warta's version, its templates and the static manifest), kept in
  ``.fingerprint``: when it differs at start-up every file is deleted (``check_fingerprint``).

See docs/performance.md, "Public pages".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import resolve
from django.utils import translation

STORAGE_ALIAS = "public_pages"
GENERATION = ".generation"
FINGERPRINT = ".fingerprint"
REBUILT_DIR = ".rebuilt"
INDEX_PAGES_DIR = "halaman"
# The index pages rendered at once after a change (the rest are deleted and rendered on their
# next request): bounded work whatever the size of the archive.
EAGER_INDEX_PAGES = 3
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}
# Pages are revalidated after a minute (a change is visible to a cache at most that late; the
# 304 answer costs almost nothing).
CACHE_CONTROL = "public, max-age=60, must-revalidate"

# A slug has at most 220 characters (NewsItem.slug): a file name any file system holds.
_ARTICLE = re.compile(r"/berita/([-a-zA-Z0-9_]{1,220})/")
_INDEX_PAGE = re.compile(r"/halaman/([1-9][0-9]{0,6})/")
_SITEMAP_PART = re.compile(r"/sitemap-([1-9][0-9]{0,6})\.xml")
_FIXED = {
    "/": "index.html",
    "/feed/rss/": "feed/rss/index.rss",
    "/feed/atom/": "feed/atom/index.atom",
    "/sitemap.xml": "sitemap.xml",
    "/sitemap-home.xml": "sitemap-home.xml",
}


def name_for(path: str) -> str | None:
    """The stored file of a public page's path, or None when ``path`` is not a pre-rendered
    page. A pure function of the path (no database), shared with the nginx sample's rules."""
    fixed = _FIXED.get(path)
    if fixed:
        return fixed
    if _ARTICLE.fullmatch(path) or _INDEX_PAGE.fullmatch(path):
        return f"{path[1:]}index.html"
    if _SITEMAP_PART.fullmatch(path):
        return path[1:]
    return None


def article_path(slug: str) -> str:
    return f"/berita/{slug}/"


def index_path(number: int) -> str:
    return "/" if number <= 1 else f"/{INDEX_PAGES_DIR}/{number}/"


def sitemap_part_path(number: int) -> str:
    return f"/sitemap-{number}.xml"


def content_type(name: str) -> str:
    return CONTENT_TYPES[name.rsplit(".", 1)[-1]]


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def storage() -> Storage:
    return storages[STORAGE_ALIAS]


def local_root() -> Path | None:
    """The directory of the files when the storage is on local disk (served straight from it)."""
    store = storage()
    if isinstance(store, FileSystemStorage):
        return Path(store.location)
    return None


# --- reading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One stored page: its bytes and what its headers are made of."""

    name: str
    body: bytes
    etag: str
    modified: float  # seconds since the epoch

    @property
    def content_type(self) -> str:
        return content_type(self.name)


_etags: dict[tuple[str, int, int], str] = {}


def read(name: str) -> Page | None:
    """The stored page ``name``, or None when there is none."""
    root = local_root()
    if root is not None:
        full = root / name
        try:
            with open(full, "rb") as handle:
                stat = os.fstat(handle.fileno())
                body = handle.read()
        except OSError:  # none (or a name the file system cannot hold)
            return None
        key = (name, stat.st_mtime_ns, stat.st_size)
        etag = _etags.get(key)
        if etag is None:
            if len(_etags) > 50_000:
                _etags.clear()
            etag = _etags[key] = etag_of(body)
        return Page(name, body, etag, stat.st_mtime)
    store = storage()
    try:
        with store.open(name, "rb") as handle:
            body = handle.read()
        modified = store.get_modified_time(name).timestamp()
    except OSError:
        return None
    return Page(name, body, etag_of(body), modified)


def response_for(page: Page) -> HttpResponse:
    """A 200 answer with the page's bytes and its cache headers (the security headers are the
    middleware's and Django's)."""
    from django.utils.http import http_date

    response = HttpResponse(page.body, content_type=page.content_type)
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(int(page.modified))
    response["Cache-Control"] = CACHE_CONTROL
    response["Content-Language"] = settings.LANGUAGE_CODE
    return response


# --- writing ------------------------------------------------------------------------------
def _write(name: str, body: bytes) -> None:
    root = local_root()
    if root is not None:
        target = root / name
        try:
            if target.read_bytes() == body:
                return  # unchanged: keep its time (and the clients' Last-Modified)
        except (FileNotFoundError, NotADirectoryError):
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(body)
            os.chmod(temporary, 0o644)  # nginx reads them
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return
    store = storage()
    store.delete(name)
    store.save(name, ContentFile(body))


def delete(names: Iterator[str] | list[str]) -> None:
    store = storage()
    for name in names:
        with contextlib.suppress(OSError):  # already gone
            store.delete(name)


def index_page_names() -> list[str]:
    """The stored index pages past the first (``halaman/<n>/index.html``)."""
    store = storage()
    try:
        numbers, _files = store.listdir(INDEX_PAGES_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [f"{INDEX_PAGES_DIR}/{n}/index.html" for n in numbers if n.isdigit()]


def generation() -> str:
    store = storage()
    try:
        with store.open(GENERATION, "rb") as handle:
            return handle.read().decode()
    except OSError:
        return ""


def new_generation() -> None:
    """Mark that public content changed: pages being rendered now are not kept."""
    _write(GENERATION, secrets.token_hex(16).encode())


def _rebuilt_name(change: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{1,64}", change):
        raise ValueError("a change token is hexadecimal")
    return f"{REBUILT_DIR}/{change}"


def mark_rebuilt(change: str) -> None:
    """Record that the pages of ``change`` were rendered after its commit."""
    _write(_rebuilt_name(change), b"")


def take_rebuilt(change: str) -> bool:
    """Whether ``change`` was marked rendered; the mark is removed."""
    name = _rebuilt_name(change)
    store = storage()
    if not store.exists(name):
        return False
    delete([name])
    return True


def all_names() -> list[str]:
    """Every stored page (not the generation and fingerprint files, nor the change marks)."""
    store = storage()
    names: list[str] = []

    def walk(directory: str) -> None:
        try:
            folders, files = store.listdir(directory)
        except (FileNotFoundError, NotADirectoryError):
            return
        prefix = f"{directory}/" if directory else ""
        names.extend(f"{prefix}{f}" for f in files if not f.startswith("."))
        for folder in folders:
            if not folder.startswith("."):
                walk(f"{prefix}{folder}")

    walk("")
    return names


def clear() -> int:
    """Delete every stored page; returns how many."""
    names = all_names()
    delete(names)
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        delete(f"{REBUILT_DIR}/{mark}" for mark in storage().listdir(REBUILT_DIR)[1])
    new_generation()
    return len(names)


# --- rendering ----------------------------------------------------------------------------
class SiteRequest(HttpRequest):
    """The request a public page is rendered for: a GET of its path at WARTA_SITE_URL, with
    no cookie, session or user, so the page is the same for everyone and for every host name
    it is reached by."""

    def __init__(self, path: str) -> None:
        super().__init__()
        site = urlsplit(settings.WARTA_SITE_URL)
        self._site_scheme = site.scheme or "http"
        self._site_host = site.netloc or "localhost"
        self.method = "GET"
        self.path = self.path_info = path
        port = site.port or (443 if self._site_scheme == "https" else 80)
        self.META = {
            "REQUEST_METHOD": "GET",
            "QUERY_STRING": "",
            "SERVER_NAME": site.hostname or "localhost",
            "SERVER_PORT": str(port),
            "HTTP_HOST": self._site_host,
        }
        self.resolver_match = resolve(path)  # Resolver404 (an Http404) when there is none

    def _get_scheme(self) -> str:
        return self._site_scheme

    def get_host(self) -> str:
        return self._site_host  # Warta's own address, not a client's Host header


def render(path: str) -> HttpResponse:
    """Render the public page at ``path`` as everyone gets it (Http404 when there is none)."""
    from warta.site.views import RENDERERS

    request = SiteRequest(path)
    match = request.resolver_match
    if match.namespace != "site" or match.url_name not in RENDERERS:
        raise Http404
    with translation.override(settings.LANGUAGE_CODE):
        response = RENDERERS[match.url_name](request, *match.args, **match.kwargs)
        if hasattr(response, "render"):
            response = response.render()
    return response


def produce(path: str) -> Page | None:
    """Render ``path``, store it and return it (None when the page does not exist or is not a
    pre-rendered page). Raises Http404 when the path names no published page."""
    name = name_for(path)
    if name is None:
        return None
    before = generation()
    try:
        response = render(path)
    except Http404:
        delete([name])
        raise
    if response.status_code != 200:
        return None
    body = response.content
    _write(name, body)
    if generation() != before:
        # Public content changed while this page was rendered: it may hold the old content.
        delete([name])
    return read(name) or Page(name, body, etag_of(body), time.time())


def refresh(path: str) -> None:
    """Render ``path`` again now; a page that no longer exists (withdrawn) is deleted."""
    with contextlib.suppress(Http404):
        produce(path)


# --- the settings' fingerprint ------------------------------------------------------------
def _tree_hash(directory: Path, pattern: str) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.rglob(pattern)):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint() -> str:
    """What public pages depend on besides the database."""
    site_dir = Path(__file__).resolve().parent
    try:
        version = metadata.version("warta")
    except metadata.PackageNotFoundError:
        version = ""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    parts = {
        "institution": settings.WARTA_INSTITUTION_NAME,
        "parent": settings.WARTA_INSTITUTION_PARENT,
        "site_url": settings.WARTA_SITE_URL,
        "description": settings.WARTA_SITE_DESCRIPTION,
        "twitter": settings.WARTA_TWITTER_SITE,
        "language": settings.LANGUAGE_CODE,
        "media_host": getattr(settings, "WARTA_MEDIA_HOST", ""),
        "sitemap_part_size": settings.WARTA_SITEMAP_PART_SIZE,
        "version": version,
        "templates": _tree_hash(site_dir / "templates", "*.html"),
        "translations": _tree_hash(site_dir / "locale", "*.mo"),
        "static": hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.exists() else "",
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def stored_fingerprint() -> str:
    store = storage()
    try:
        with store.open(FINGERPRINT, "rb") as handle:
            return handle.read().decode()
    except OSError:
        return ""


def check_fingerprint() -> int:
    """At start-up: when what the pages depend on changed, delete every stored page (they are
    rendered again on their next request, or by ``warta site rebuild``). Returns how many
    files were deleted."""
    current = fingerprint()
    if stored_fingerprint() == current:
        return 0
    removed = clear()
    _write(FINGERPRINT, current.encode())
    return removed


def reset() -> None:
    """Delete every stored page and record the current fingerprint (before a rebuild)."""
    clear()
    _write(FINGERPRINT, fingerprint().encode())

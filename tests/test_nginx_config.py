"""The sample nginx site (deploy/nginx/warta.conf), run by Debian's nginx in front of a real Warta.

Only paths, ports and the certificate are changed for the test; everything else is the file an
operator copies. A page, a static file (served by nginx itself) and an upload larger than nginx's
default body limit must go through; plain HTTP must send people to HTTPS; a media file Warta
permits is sent by nginx (X-Accel-Redirect, WARTA_MEDIA_ACCEL=nginx) with Warta's protective
headers, and the internal media location cannot be asked for directly.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.live_server import (
    Browser,
    free_port,
    multipart,
    new_item_fields,
    png_bytes,
    start_serve,
    wait_for_port,
    warta_env,
    warta_setup,
)
from warta.serve import MAX_REQUEST_BODY_BYTES

SAMPLE = Path(__file__).resolve().parent.parent / "deploy/nginx/warta.conf"
SITE = "warta.example.go.id"
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        if os.environ.get("CI", "").lower() == "true" or os.environ.get("WARTA_REQUIRE_POSTGRES"):
            pytest.fail("nginx is missing (scripts/test.sh installs Debian's nginx)")
        pytest.skip("nginx is not installed: run scripts/test.sh, or apt-get install nginx")
    return found


def directive(name: str) -> str:
    match = re.search(rf"^\s*{name}\s+([^;]+);", SAMPLE.read_text(), re.MULTILINE)
    assert match, f"{name} is missing from {SAMPLE}"
    return match.group(1).strip()


def site_config(warta_port: int, http_port: int, https_port: int, data_dir: Path, tls: Path) -> str:
    """The sample with the test's ports, data dir and certificate; nothing else changes."""
    text = SAMPLE.read_text()
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{warta_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        (f"/etc/letsencrypt/live/{SITE}/fullchain.pem", str(tls / "cert.pem")),
        (f"/etc/letsencrypt/live/{SITE}/privkey.pem", str(tls / "key.pem")),
        ("/srv/warta/var/", f"{data_dir}/"),
    ]
    for old, new in replacements:
        assert old in text, f"the sample no longer contains {old!r}: update this test"
        text = text.replace(old, new)
    # IPv6 may be off on a test machine.
    return re.sub(r"^\s*listen \[::\]:\d+[^;]*;\n", "", text, flags=re.MULTILINE)


def main_config(prefix: Path, site: Path) -> str:
    """What /etc/nginx/nginx.conf provides, pointed at the test's own directories."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # root's workers must read the temp dirs
    temp_paths = "".join(
        f"    {kind}_temp_path {prefix / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\n"
        "error_log stderr notice;\nevents { worker_connections 256; }\n"
        "http {\n    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'access.log'};\n{temp_paths}"
        f"    include {site};\n}}\n"
    )


def make_certificate(tls: Path) -> None:
    tls.mkdir()
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN={SITE}", "-keyout", str(tls / "key.pem"), "-out", str(tls / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def test_sample_limits_match_warta():
    number, unit = re.fullmatch(
        r"(\d+)([kmg]?)", directive("client_max_body_size").lower()
    ).groups()
    assert int(number) * SIZE_UNITS[unit] == MAX_REQUEST_BODY_BYTES
    assert directive("proxy_request_buffering") == "on"
    assert directive("proxy_buffering") == "on"
    assert directive("proxy_set_header X-Forwarded-Proto") == "$scheme"
    # The only location that reaches the media directory is internal: nginx sends a file from
    # it only when Warta names one in X-Accel-Redirect.
    text = re.sub(r"#[^\n]*", "", SAMPLE.read_text())
    blocks = re.findall(r"location\s+([^{]+)\{([^}]*)\}", text)
    media = [(where.strip(), body) for where, body in blocks if "/var/media" in body]
    assert [where for where, _body in media] == ["/_warta_media/"]
    assert re.search(r"^\s*internal;", media[0][1], re.MULTILINE)
    assert "nosniff" in media[0][1] and "$upstream_http_content_security_policy" in media[0][1]


def csp_directives(header: str) -> dict[str, str]:
    """A Content-Security-Policy as {directive: sources} (its order does not matter)."""
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


SAME_HEADERS = (
    "Content-Type",
    "Cache-Control",
    "Content-Language",
    "Last-Modified",
    "Strict-Transport-Security",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "X-Frame-Options",
)


def wait_for_site_tasks(data_dir: Path, timeout: float = 120) -> None:
    """Until the worker has rendered again what the demo's publications changed (tasks
    ``warta setup`` left queued): meanwhile it deletes and renders pages the test looks at."""
    import sqlite3
    import time

    deadline = time.monotonic() + timeout
    query = (
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE 'warta.site.%' AND status IN ('READY', 'RUNNING')"
    )
    while time.monotonic() < deadline:
        with sqlite3.connect(data_dir / "warta.sqlite3", timeout=10) as db:
            if db.execute(query).fetchone()[0] == 0:
                return
        time.sleep(0.5)
    raise AssertionError("the worker did not render the public pages in time")


def check_prerendered_pages(browser, warta, data_dir: Path) -> None:
    """nginx sends a pre-rendered page itself, with Warta's headers, answers 304, and leaves a
    page not stored yet, or asked with a query string, to Warta (which stores it)."""
    public = data_dir / "public"
    wait_for_site_tasks(data_dir)
    index = browser.request("GET", "/")
    slug = re.search(r'href="/berita/([-a-zA-Z0-9_]+)/"', index.text).group(1)
    article = f"/berita/{slug}/"
    stored = public / "berita" / slug / "index.html"
    stored.unlink(missing_ok=True)

    def warta_answered(path: str) -> int:
        return warta.log().count(f"GET {path} ")

    rendered = browser.request("GET", article)  # not stored: Warta renders and stores it
    assert rendered.status == 200
    assert warta_answered(article) == 1
    assert stored.read_bytes() == rendered.body
    served = browser.request("GET", article)  # stored: nginx sends it
    assert served.status == 200 and served.body == rendered.body
    assert warta_answered(article) == 1
    for header in SAME_HEADERS:
        assert served.headers.get(header) == rendered.headers.get(header), header
    assert csp_directives(served.headers["Content-Security-Policy"]) == csp_directives(
        rendered.headers["Content-Security-Policy"]
    )
    assert served.headers["Content-Type"] == "text/html; charset=utf-8"
    etag = served.headers["ETag"]
    not_modified = browser.request("GET", article, headers={"If-None-Match": etag})
    assert not_modified.status == 304 and not_modified.body == b""
    since = {"If-Modified-Since": served.headers["Last-Modified"]}
    assert browser.request("GET", article, headers=since).status == 304
    head = browser.request("HEAD", article)
    assert head.status == 200 and head.body == b""
    assert warta_answered(article) == 1  # all of it from nginx

    # A query string, or a page that does not exist, is Warta's to answer.
    assert browser.request("GET", article + "?utm_source=x").body == rendered.body
    assert warta_answered(article) == 2  # (Warta's log names the path without the query)
    assert browser.request("GET", "/berita/tidak-ada/").status == 404
    assert warta_answered("/berita/tidak-ada/") == 1

    # The feeds and the sitemap, with their types.
    for path, content_type in [
        ("/feed/rss/", "application/rss+xml; charset=utf-8"),
        ("/feed/atom/", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
    ]:
        first, second = (browser.request("GET", path) for _ in range(2))
        assert first.status == second.status == 200, path
        assert first.body == second.body and f"https://{SITE}/" in second.text
        assert second.headers["Content-Type"] == content_type, path
        assert warta_answered(path) <= 1, path


def test_nginx_in_front_of_warta(tmp_path):
    nginx = nginx_binary()
    data_dir = tmp_path / "var"
    env = warta_env(
        data_dir,
        WARTA_HTTPS="true",
        WARTA_TRUSTED_PROXIES="127.0.0.1",
        WARTA_ALLOWED_HOSTS=SITE,
        WARTA_SITE_URL=f"https://{SITE}",
        WARTA_MEDIA_ACCEL="nginx",
    )
    passwords = warta_setup(data_dir, env)
    warta = start_serve(data_dir, env)

    prefix = tmp_path / "nginx"
    prefix.mkdir()
    make_certificate(tmp_path / "tls")
    http_port, https_port = free_port(), free_port()
    site = prefix / "warta.conf"
    site.write_text(site_config(warta.port, http_port, https_port, data_dir, tmp_path / "tls"))
    conf = prefix / "nginx.conf"
    conf.write_text(main_config(prefix, site))
    command = [nginx, "-p", str(prefix), "-c", str(conf), "-e", "stderr"]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(https_port, timeout=20)
        browser = Browser(https_port, host_header=SITE, https=True)

        plain = Browser(http_port, host_header=SITE).request("GET", "/")
        assert plain.status == 301
        assert plain.headers["Location"] == f"https://{SITE}/"

        page = browser.request("GET", "/")
        assert page.status == 200, page.text[:1000]
        assert "Politeknik Imigrasi" in page.text
        # Warta saw HTTPS (through X-Forwarded-Proto from the trusted proxy) and says so.
        assert "Strict-Transport-Security" in page.headers

        static_file = next((data_dir / "static").rglob("base*.css"))
        static_path = "/static/" + static_file.relative_to(data_dir / "static").as_posix()
        static = browser.request("GET", static_path)
        assert static.status == 200
        assert static.body == static_file.read_bytes()
        assert static.headers["Content-Type"].startswith("text/css")

        # An upload over nginx's default 1 MB limit goes through whole.
        browser.log_in("humas", passwords["humas"])
        token = browser.csrf_token("/kerja/berita/baru/")
        content_type, body = multipart(
            {**new_item_fields("Lewat nginx"), "csrfmiddlewaretoken": token},
            {"photos": ("kegiatan.png", png_bytes(1000, 1000), "image/png")},
        )
        assert len(body) > 2 * 1024 * 1024
        created = browser.request(
            "POST", "/kerja/berita/baru/", body=body, headers={"Content-Type": content_type}
        )
        assert created.status == 302, created.text[:2000]
        location = created.headers["Location"]
        assert re.fullmatch(r"/kerja/berita/\d+/", location), location
        # The editor links the photo's private original (no worker runs here: no rendition).
        editor = browser.request("GET", location + "sunting/")
        assert "Lewat nginx" in editor.text
        asset_id = re.search(r"/kerja/media/(\d+)/original/", editor.text).group(1)
        original = f"/kerja/media/{asset_id}/original/"
        photo = browser.request("GET", original)
        assert photo.status == 200
        assert photo.body.startswith(b"\x89PNG")
        assert photo.headers["Content-Type"] == "image/png"
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
        assert photo.headers["Content-Security-Policy"].startswith("sandbox;")
        assert photo.headers["Content-Disposition"].startswith('inline; filename="kegiatan.png"')
        assert photo.headers["Cache-Control"] == "private, no-store"
        part = browser.request("GET", original, headers={"Range": "bytes=1-3"})
        assert part.status == 206 and part.body == b"PNG"
        # The file's own place is reachable only through Warta's answer.
        stored = next((data_dir / "media" / "media" / "originals").iterdir())
        for path in (
            f"/_warta_media/media/originals/{stored.name}",
            f"/media/originals/{stored.name}",
        ):
            assert browser.request("GET", path).status == 404, path

        check_prerendered_pages(browser, warta, data_dir)

        # The static file came from nginx; the pages and the upload from Warta.
        log = warta.log()
        assert "GET /masuk/ 200" in log
        assert "POST /kerja/berita/baru/ 302" in log
        assert "/static/" not in log
        assert f"GET {original} 200" in log  # Warta decided; nginx sent the bytes
    finally:
        proxy.terminate()
        try:
            proxy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proxy.kill()
        warta.stop()

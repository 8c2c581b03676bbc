"""Slow clients never stall everyone: the real `warta serve` with fewer threads than slow clients.

Four people upload a photo over a slow link at once and two more download a photo at a trickle,
all against a server with only two threads; the public index must keep answering quickly, and
every upload must arrive whole.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass

import pytest

from tests.live_server import (
    Browser,
    multipart,
    new_item_fields,
    png_bytes,
    start_serve,
    warta_env,
    warta_setup,
)
from warta.accounts.client import parse_networks
from warta.media.limits import DEFAULT_MAX_PHOTO_MB, DEFAULT_MAX_VIDEO_MB, MB
from warta.serve import (
    MAX_REQUEST_BODY_BYTES,
    forwarded_headers_filter,
    server_options,
)

SLOW_UPLOADS = 4
SLOW_READERS = 2
THREADS = 2
CHUNK = 64 * 1024
PAUSE = 0.08  # 64 KB every 80 ms: about 0.8 MB/s, a phone's uplink
INDEX_CEILING = 2.0


@dataclass
class Upload:
    started: float = 0.0
    body_sent: float = 0.0
    status: int = 0
    location: str = ""
    error: str = ""


def read_response_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def slow_upload(browser: Browser, body: bytes, content_type: str, result: Upload) -> None:
    path = "/kerja/berita/baru/"
    headers = browser.headers(
        path,
        {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Connection": "close",
        },
    )
    head = f"POST {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    try:
        with socket.create_connection(("127.0.0.1", browser.port), timeout=60) as sock:
            result.started = time.monotonic()
            sock.sendall(head.encode() + b"\r\n")
            for offset in range(0, len(body), CHUNK):
                sock.sendall(body[offset : offset + CHUNK])
                time.sleep(PAUSE)
            result.body_sent = time.monotonic()
            response = read_response_head(sock).decode(errors="replace")
        result.status = int(response.split(" ", 2)[1])
        match = re.search(r"^Location: (\S+)", response, re.MULTILINE | re.IGNORECASE)
        result.location = match.group(1) if match else ""
    except (OSError, ValueError, IndexError) as error:
        result.error = repr(error)


def slow_reader(browser: Browser, path: str, stop: threading.Event, got: list[int]) -> None:
    """Asks for a file and then reads it a few KB at a time, as a very slow link would."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(30)
        sock.connect(("127.0.0.1", browser.port))
        headers = browser.headers(path, {"Connection": "close"})
        request = f"GET {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        sock.sendall(request.encode() + b"\r\n")
        while not stop.is_set():
            data = sock.recv(1024)
            if not data:
                break
            got.append(len(data))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("slow")
    data_dir = root / "var"
    env = warta_env(data_dir, WARTA_WEB_THREADS=str(THREADS))
    passwords = warta_setup(data_dir, env)
    server = start_serve(data_dir, env)
    yield server, passwords
    server.stop()


def test_slow_uploads_and_readers_do_not_stall_the_index(live):
    server, passwords = live
    humas = Browser(server.port)
    humas.log_in("humas", passwords["humas"])

    # A photo to download slowly: uploaded at full speed first.
    token = humas.csrf_token("/kerja/berita/baru/")
    content_type, body = multipart(
        {**new_item_fields("Foto besar"), "csrfmiddlewaretoken": token},
        {"photos": ("besar.png", png_bytes(1500, 1500), "image/png")},
    )
    created = humas.request(
        "POST", "/kerja/berita/baru/", body=body, headers={"Content-Type": content_type}
    )
    assert created.status == 302, created.text[:2000]
    # The editor links the photo's private original (no rendition yet: no worker runs here).
    edit_page = humas.request("GET", created.headers["Location"] + "sunting/").text
    photo_path = re.search(r"(/kerja/media/\d+/original/)", edit_page).group(1)

    uploads = [Upload() for _ in range(SLOW_UPLOADS)]
    bodies = [
        multipart(
            {**new_item_fields(f"Unggahan lambat {n}"), "csrfmiddlewaretoken": token},
            {"photos": (f"lambat-{n}.png", png_bytes(1000, 1000), "image/png")},
        )
        for n in range(SLOW_UPLOADS)
    ]
    stop_readers = threading.Event()
    read_counts: list[list[int]] = [[] for _ in range(SLOW_READERS)]
    threads = [
        threading.Thread(target=slow_reader, args=(humas, photo_path, stop_readers, counts))
        for counts in read_counts
    ] + [
        threading.Thread(target=slow_upload, args=(humas, body, content_type, upload))
        for (content_type, body), upload in zip(bodies, uploads, strict=True)
    ]
    for thread in threads:
        thread.start()

    # While every upload is still sending, the public index answers as if nothing were going on.
    visitor = Browser(server.port)
    timings = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(upload.body_sent for upload in uploads):
        if all(upload.started for upload in uploads):
            started = time.monotonic()
            try:
                status = visitor.request("GET", "/", timeout=5 * INDEX_CEILING).status
            except TimeoutError:
                status = 0
            timings.append(time.monotonic() - started)
            assert status == 200, f"the index did not answer within {timings[-1]:.1f} s"
        time.sleep(0.1)
    assert len(timings) >= 5, f"too few probes while the uploads were in flight: {timings}"
    assert max(timings) < INDEX_CEILING, timings

    for thread in threads[SLOW_READERS:]:
        thread.join(timeout=60)
    stop_readers.set()
    for thread in threads[:SLOW_READERS]:
        thread.join(timeout=30)

    # Every slow upload arrived whole and became a coverage note with its photo.
    for n, upload in enumerate(uploads):
        assert not upload.error, upload.error
        assert upload.body_sent - upload.started > 2, "the upload was not slow"
        assert upload.status == 302, upload
        assert re.fullmatch(r"/kerja/berita/\d+/", upload.location), upload
        page = humas.request("GET", upload.location + "sunting/")
        assert f"Unggahan lambat {n}" in page.text
        assert re.search(r"/kerja/media/\d+/original/", page.text)
    assert all(counts for counts in read_counts), "the slow readers got nothing"
    assert server.process.poll() is None, server.log()


def test_request_body_limit_fits_the_upload_limits():
    assert MAX_REQUEST_BODY_BYTES >= (DEFAULT_MAX_VIDEO_MB + DEFAULT_MAX_PHOTO_MB) * MB
    options = server_options("127.0.0.1", 8000, 4)
    assert options["max_request_body_size"] == MAX_REQUEST_BODY_BYTES
    assert options["threads"] == 4


def _seen_by_app(proxies: str, environ: dict) -> dict:
    seen = {}

    def app(env, start_response):
        seen.update(env)
        return [b""]

    forwarded_headers_filter(app, parse_networks(filter(None, proxies.split(","))))(
        dict(environ), lambda *a: None
    )
    return seen


def test_forwarded_headers_reach_django_only_from_trusted_proxies():
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "HTTP_X_FORWARDED_PROTO": "https"}
    direct = _seen_by_app("", {"REMOTE_ADDR": "198.51.100.7", **forwarded})
    assert "HTTP_X_FORWARDED_FOR" not in direct
    assert "HTTP_X_FORWARDED_PROTO" not in direct
    assert direct["REMOTE_ADDR"] == "198.51.100.7"

    through_proxy = _seen_by_app("10.0.0.5, 127.0.0.1", {"REMOTE_ADDR": "127.0.0.1", **forwarded})
    assert through_proxy["HTTP_X_FORWARDED_FOR"] == "203.0.113.9"
    assert through_proxy["HTTP_X_FORWARDED_PROTO"] == "https"
    assert through_proxy["REMOTE_ADDR"] == "127.0.0.1"  # the client is decided in Django

    stranger = _seen_by_app("10.0.0.5, 127.0.0.1", {"REMOTE_ADDR": "10.0.0.6", **forwarded})
    assert "HTTP_X_FORWARDED_FOR" not in stranger

    network = _seen_by_app("10.0.0.0/24, ::1", {"REMOTE_ADDR": "10.0.0.6", **forwarded})
    assert network["HTTP_X_FORWARDED_FOR"] == "203.0.113.9"
    ipv6 = _seen_by_app("10.0.0.0/24, ::1", {"REMOTE_ADDR": "::1", **forwarded})
    assert ipv6["HTTP_X_FORWARDED_PROTO"] == "https"


def test_a_body_over_the_limit_is_refused_before_it_is_sent(live):
    server, _passwords = live
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            (
                "POST /kerja/berita/baru/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/octet-stream\r\n"
                f"Content-Length: {MAX_REQUEST_BODY_BYTES + 1}\r\n\r\n"
            ).encode()
        )
        response = read_response_head(sock).decode(errors="replace")
    assert response.startswith("HTTP/1.1 413"), response

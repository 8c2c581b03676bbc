"""``warta serve``: the web server and the background worker together, stopped together.

The web server is waitress (see docs/deployment.md for why): its event loop reads every request
body to the end — into a temporary file past a small in-memory buffer — before a thread runs
Django, and it writes responses from buffers (files through ``wsgi.file_wrapper``), so a slow
upload or a slow reader holds a connection, never one of the threads that serve pages.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Any

from warta.media.limits import DEFAULT_MAX_VIDEO_MB, MB

logger = logging.getLogger("warta.web")

# One request carries one form with all its files (large videos come in resumable chunks, but
# the plain form still takes them). Each file has its own limit (warta.media.limits); the whole
# body may hold two videos of the default limit, so a save with a video and photos always fits.
# nginx's client_max_body_size (deploy/nginx/warta.conf) matches.
MAX_REQUEST_BODY_BYTES = 2 * DEFAULT_MAX_VIDEO_MB * MB
# Seconds a connection may stay silent (no byte received or sent) before it is closed. A slow
# upload that keeps sending is never cut off; a stalled one frees its connection.
CHANNEL_TIMEOUT = 120
CONNECTION_LIMIT = 200
DEFAULT_THREADS = 8
FORWARDED_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_BY",
    "HTTP_X_REAL_IP",
)

Network = IPv4Network | IPv6Network
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def forwarded_headers_filter(app: WSGIApp, proxies: Iterable[Network]) -> WSGIApp:
    """Drop the X-Forwarded-*/Forwarded headers unless the peer is a trusted proxy.

    A trusted proxy's headers reach Django untouched: the client address is worked out in one
    place (the accounts client helper) and the scheme by SECURE_PROXY_SSL_HEADER. Anyone else's
    are removed, so a client talking to the server directly cannot claim another address.
    (waitress's own ``trusted_proxy`` takes a single address and rewrites REMOTE_ADDR itself.)
    """
    from warta.accounts.client import in_networks

    proxies = list(proxies)

    def filtered(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not in_networks(environ.get("REMOTE_ADDR", ""), proxies):
            for header in FORWARDED_HEADERS:
                environ.pop(header, None)
        return app(environ, start_response)

    return filtered


def access_log(app: WSGIApp) -> WSGIApp:
    """One log line per request: method, path, status and time taken."""

    def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.monotonic()
        status: list[str] = []

        def recording_start_response(code: str, headers: Any, exc_info: Any = None) -> Any:
            status[:] = [code.split(" ", 1)[0]]
            return start_response(code, headers, exc_info)

        try:
            return app(environ, recording_start_response)
        finally:
            logger.info(
                "%s %s %s %s %.0f ms",
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                environ.get("PATH_INFO", "-"),
                status[0] if status else "-",
                (time.monotonic() - started) * 1000,
            )

    return logged


def server_options(host: str, port: int, threads: int) -> dict[str, Any]:
    """waitress's settings for Warta (documented in docs/deployment.md)."""
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "max_request_body_size": MAX_REQUEST_BODY_BYTES,
        "channel_timeout": CHANNEL_TIMEOUT,
        "connection_limit": CONNECTION_LIMIT,
        "asyncore_use_poll": True,  # select() cannot watch descriptors past 1024
        # Forwarded headers are filtered by forwarded_headers_filter, which knows several proxies.
        "clear_untrusted_proxy_headers": False,
        "ident": "Warta",
    }


def run_web(host: str, port: int, threads: int) -> int:
    """Run the web server in this process until SIGTERM or Ctrl-C."""
    import django
    from waitress.server import create_server

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    django.setup()
    from warta.accounts.client import trusted_proxies
    from warta.config.wsgi import application

    app = access_log(forwarded_headers_filter(application, trusted_proxies()))
    server = create_server(app, **server_options(host, port, threads))

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        if not stopping:  # a second signal must not cut the graceful stop short
            stopping = True
            raise SystemExit(0)  # waitress's loop ends, then lets running requests finish

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.print_listen("Warta web server on http://{}:{}")
    server.run()
    logger.info("Warta web server shutting down")
    return 0


def serve(host: str, port: int, threads: int) -> int:
    """Start the web server and the background workers; stop all when one stops or on Ctrl-C."""
    from django.conf import settings

    web = [_bin("warta"), "web", "--host", host, "--port", str(port), "--threads", str(threads)]
    # One worker per queue: a long video transcoding never delays a deadline alert or a mail.
    workers = [[_bin("warta"), "worker", "--queue-name", queue] for queue in settings.TASK_QUEUES]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "warta.config.settings"}
    # Request bodies and uploaded files wait in temporary files: keep them on the data disk
    # (where the media go, so a finished upload is moved, not copied), not in a RAM-backed /tmp.
    if "TMPDIR" not in env:
        tmp = Path(settings.DATA_DIR) / "tmp"
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
    children = [subprocess.Popen(cmd, env=env) for cmd in (web, *workers)]
    asked_to_stop = False

    def stop_children() -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    def stop(*_args: object) -> None:
        nonlocal asked_to_stop
        if not asked_to_stop:
            asked_to_stop = True
            stop_children()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.3)
    finally:
        stop_children()
        deadline = time.monotonic() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    codes = [child.returncode for child in children]
    # Stopped on request: success. One child died by itself: the other was stopped, and it fails.
    return 0 if asked_to_stop else max(abs(code or 0) for code in codes) or 1

"""``warta serve``: the web server and the background worker together, stopped together.

The web server is waitress (see docs/deployment.md for why): its event loop reads every request
body to the end — into a temporary file past a small in-memory buffer — before a thread runs
Django, and it writes responses from buffers (files through ``wsgi.file_wrapper``), so a slow
upload or a slow reader holds a connection, never one of the threads that serve pages.

One process runs Python on one CPU at a time, so ``--processes N`` runs N of them on one
listening socket that this process binds before it starts them (``run_web_processes``); the kernel
hands each new connection to whichever of them accepts first. docs/deployment.md says why this
and not SO_REUSEPORT.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
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
DEFAULT_PROCESSES = 1
# Seconds `warta web --processes` gives its processes to finish their requests after SIGTERM
# (waitress waits up to 5 s for its threads), before it kills them; less than `warta serve`'s.
WEB_STOP_SECONDS = 10
SERVE_STOP_SECONDS = 15
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


def access_log(app: WSGIApp, tag: str = "") -> WSGIApp:
    """One log line per request: method, path, status and time taken.

    ``tag`` starts the line: the process's id when several processes serve (``[pid 1234] ``),
    so that the lines of one process can be told apart.
    """

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
                "%s%s %s %s %s %.0f ms",
                tag,
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
    return _run_server(server_options(host, port, threads), "Warta web server on http://{}:{}")


def run_web_process(fds: list[int], parent_fd: int | None, threads: int) -> int:
    """One of the processes of ``warta web --processes N``: serve on the listening sockets
    inherited as ``fds`` until SIGTERM, Ctrl-C, or the end of ``parent_fd`` (the pipe whose
    other end the parent holds: when the parent dies, even by SIGKILL, this process stops
    instead of serving on as an orphan)."""
    sockets = [socket.socket(fileno=fd) for fd in fds]
    if parent_fd is not None:
        threading.Thread(target=_stop_when_closed, args=(parent_fd,), daemon=True).start()
    options = server_options("", 0, threads)
    del options["host"], options["port"]  # waitress takes either these or sockets
    pid = os.getpid()
    return _run_server(
        {**options, "sockets": sockets},
        f"Warta web server (process {pid}) on http://{{}}:{{}}",
        tag=f"[pid {pid}] ",
    )


def _stop_when_closed(fd: int) -> None:
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while pipe.read(1):  # the parent never writes: this returns b"" when it is gone
            pass
    os.kill(os.getpid(), signal.SIGTERM)


def _run_server(options: dict[str, Any], banner: str, tag: str = "") -> int:
    import django
    from waitress.server import create_server

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    django.setup()
    from warta.accounts.client import trusted_proxies
    from warta.config.wsgi import application

    app = access_log(forwarded_headers_filter(application, trusted_proxies()), tag)
    server = create_server(app, **options)

    stopping = False

    def stop(*_args: object) -> None:
        nonlocal stopping
        if not stopping:  # a second signal must not cut the graceful stop short
            stopping = True
            raise SystemExit(0)  # waitress's loop ends, then lets running requests finish

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.print_listen(banner)
    server.run()
    logger.info("Warta web server shutting down")
    return 0


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """Bind and listen on every address waitress itself would for ``host``:``port`` (a name may
    resolve to IPv4 and IPv6), with waitress's socket options and backlog."""
    from waitress.adjustments import Adjustments

    adjustments = Adjustments(host=host, port=port)
    sockets: list[socket.socket] = []
    try:
        for family, socktype, proto, address in adjustments.listen:
            sock = socket.socket(family, socktype, proto)
            sockets.append(sock)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(adjustments.backlog)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def run_web_processes(host: str, port: int, threads: int, processes: int) -> int:
    """Bind ``host``:``port`` here, then run ``processes`` web server processes on it.

    Binding once before any process starts means no start-up race (the port is taken or this
    fails at once) and no process of an earlier run can share the port unnoticed. SIGTERM or
    Ctrl-C stops them all gracefully; when one dies, the others are stopped and this fails.
    """
    try:
        sockets = listening_sockets(host, port)
    except OSError as error:
        raise SystemExit(f"warta web: cannot listen on {host}:{port}: {error}") from None
    fds = [sock.fileno() for sock in sockets]
    child_end, parent_end = os.pipe()  # the kernel closes parent_end when this process ends
    command = [_bin("warta"), "web", "--threads", str(threads), "--parent-fd", str(child_end)]
    for fd in fds:
        command += ["--listen-fd", str(fd)]
    children = [subprocess.Popen(command, pass_fds=[*fds, child_end]) for _ in range(processes)]
    # Only the processes hold the sockets now: when the last one ends, the port is free.
    os.close(child_end)
    for sock in sockets:
        sock.close()
    try:
        return supervise(children, WEB_STOP_SECONDS)
    finally:
        os.close(parent_end)


def supervise(children: list[subprocess.Popen], grace: float) -> int:
    """Wait until one child ends or SIGTERM/SIGINT comes, then stop all children (SIGTERM, and
    after ``grace`` seconds SIGKILL). 0 when stopped on request, else the failed child's code."""
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
        deadline = time.monotonic() + grace
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    codes = [child.returncode for child in children]
    # Stopped on request: success. One child died by itself: the others were stopped; it fails.
    return 0 if asked_to_stop else max(abs(code or 0) for code in codes) or 1


def serve(host: str, port: int, threads: int, processes: int = DEFAULT_PROCESSES) -> int:
    """Start the web server and the background workers; stop all when one stops or on Ctrl-C."""
    from django.conf import settings

    web = [_bin("warta"), "web", "--host", host, "--port", str(port), "--threads", str(threads)]
    web += ["--processes", str(processes)]
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
    return supervise(children, SERVE_STOP_SECONDS)

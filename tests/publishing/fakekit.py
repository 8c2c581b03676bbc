"""A small threaded HTTP server for the platform fakes (Meta, Google, X, TikTok).

A fake declares routes with ``@fake.route("POST", r"/v21.0/(?P<page>\\d+)/photos")``; a handler
gets a ``Request`` and returns a ``Reply``. Every request is logged in ``fake.log``; a test can
make the next matching request fail (``fake.fail_next``) or hold its answer until released
(``fake.hold_next``: the fake has acted on it, the client is still waiting — a worker killed or a
connection broken at that moment is the "accepted but not recorded" case).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)  # named groups of the route

    def json(self) -> dict:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, str]:
        """An application/x-www-form-urlencoded body (the query string merged in)."""
        parsed = {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}
        return {**self.query, **parsed}

    def multipart(self) -> dict[str, tuple[str, bytes, str]]:
        """A multipart/form-data body: name → (file name, bytes, content type)."""
        ctype = self.headers.get("content-type", "")
        if not ctype.startswith("multipart/form-data"):
            return {}
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + self.body
        )
        parts = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            parts[name] = (
                part.get_filename() or "",
                part.get_payload(decode=True) or b"",
                part.get_content_type(),
            )
        return parts

    def bearer(self) -> str:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else ""


@dataclass
class Reply:
    status: int = 200
    body: bytes | dict | list | str = b""
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> tuple[bytes, str]:
        if isinstance(self.body, dict | list):
            return json.dumps(self.body).encode(), "application/json"
        if isinstance(self.body, str):
            return self.body.encode(), "text/plain; charset=utf-8"
        return self.body, "application/octet-stream"


Handler = Callable[[Request], Reply]


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, sized by Content-Length or sent chunked (httpx streams files so)."""
    if "chunked" in handler.headers.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("content-length") or 0)
    return handler.rfile.read(length) if length else b""


class FakeServer:
    """Serve the routes on 127.0.0.1 on a free port until ``stop``."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern, Handler]] = []
        self.log: list[Request] = []
        self._faults: list[tuple[str, re.Pattern, Reply]] = []
        self._holds: list[tuple[str, re.Pattern, threading.Event, threading.Event]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- declaring -------------------------------------------------------------------------
    def route(self, method: str, pattern: str) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            self.routes.append((method, re.compile(pattern + r"\Z"), handler))
            return handler

        return add

    def fail_next(self, method: str, pattern: str, reply: Reply) -> None:
        """The next ``method`` request whose path matches ``pattern`` gets ``reply`` and is not
        handled."""
        with self._lock:
            self._faults.append((method, re.compile(pattern + r"\Z"), reply))

    def hold_next(self, method: str, pattern: str) -> tuple[threading.Event, threading.Event]:
        """The next matching request is handled, then its answer waits. Returns (handled,
        release): ``handled`` is set once the fake has acted, setting ``release`` sends the
        answer (or the connection is simply dropped when the client has gone)."""
        handled, release = threading.Event(), threading.Event()
        with self._lock:
            self._holds.append((method, re.compile(pattern + r"\Z"), handled, release))
        return handled, release

    def requests(self, method: str, pattern: str) -> list[Request]:
        compiled = re.compile(pattern + r"\Z")
        return [r for r in self.log if r.method == method and compiled.match(r.path)]

    # --- serving ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeServer:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _any(self):
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _any

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    def _take(self, items: list, method: str, path: str):
        with self._lock:
            for entry in items:
                if entry[0] == method and entry[1].match(path):
                    items.remove(entry)
                    return entry
        return None

    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        body = _read_body(handler)
        request = Request(
            method=handler.command,
            path=split.path,
            query={k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.log.append(request)
        fault = self._take(self._faults, request.method, request.path)
        reply = fault[2] if fault else self._handle(request)
        hold = self._take(self._holds, request.method, request.path)
        if hold:
            hold[2].set()
            hold[3].wait(120)
        payload, ctype = reply.encoded()
        try:
            handler.send_response(reply.status)
            headers = {"Content-Type": ctype, **reply.headers}
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if request.method != "HEAD":
                handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _handle(self, request: Request) -> Reply:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                request.params = match.groupdict()
                return handler(request)
        return Reply(404, {"error": f"no route for {request.method} {request.path}"})

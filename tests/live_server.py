"""A real Warta (``warta setup`` + ``warta serve``) in a subprocess, and a small HTTP client for it.

Used by the tests that need the real web server rather than Django's test client: slow uploads
(tests/test_serve_slow.py) and nginx in front (tests/test_nginx_config.py).
"""

from __future__ import annotations

import atexit
import http.client
import io
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

WARTA = str(Path(sys.executable).with_name("warta"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


def warta_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "WARTA_DATA_DIR": str(data_dir), **extra}
    env.pop("WARTA_DATABASE_URL", None)  # a real SQLite database of its own, like `make run`
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


_set_up_template: list[Path] = []


def warta_setup(data_dir: Path, env: dict[str, str]) -> dict[str, str]:
    """A data dir as ``warta setup`` leaves it; returns the demo passwords by user name.

    ``warta setup`` runs once per test process; later callers get a copy of its data dir.
    """
    if not _set_up_template:
        template = Path(tempfile.mkdtemp(prefix="warta-setup-")) / "var"
        atexit.register(shutil.rmtree, template.parent, True)
        done = subprocess.run(
            [WARTA, "setup"],
            env={**env, "WARTA_DATA_DIR": str(template)},
            cwd=template.parent,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        _set_up_template.append(template)
    shutil.copytree(_set_up_template[0], data_dir)
    logins = (data_dir / "demo-logins.txt").read_text()
    return dict(re.findall(r"^\s+(\S+)\s+sandi: (\S+)", logins, re.MULTILINE))


@dataclass
class RunningServer:
    process: subprocess.Popen
    port: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_serve(data_dir: Path, env: dict[str, str], *args: str) -> RunningServer:
    return start_warta("serve", data_dir, env, *args)


def start_warta(command: str, data_dir: Path, env: dict[str, str], *args: str) -> RunningServer:
    """``warta <command> --port <free port> <args>`` (serve or web), once it listens."""
    port = free_port()
    log_path = data_dir.parent / f"{command}-{port}.log"
    process = subprocess.Popen(
        [WARTA, command, "--port", str(port), *args],
        env=env,
        cwd=data_dir.parent,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = RunningServer(process, port, log_path)
    try:
        wait_for_port(port)
    except AssertionError:
        server.stop()
        raise AssertionError(server.log()) from None
    return server


def png_bytes(width: int, height: int) -> bytes:
    """A valid PNG of random noise: it does not compress, so its size is about width*height*3."""
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=0)
    return out.getvalue()


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
) -> tuple[str, bytes]:
    """(content type, body) of a multipart/form-data request."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        parts.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + content
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def new_item_fields(title: str) -> dict[str, str]:
    """The fields of the new coverage note form, filled in."""
    return {
        "title": title,
        "activity_name": "Rapat koordinasi",
        "activity_at": "2026-01-05T09:00",
        "place": "Aula",
        "covered_by": "Tim Humas",
        "notes": "Catatan liputan.",
        "body": "<p>Isi berita.</p>",
    }


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


@dataclass
class Browser:
    """A cookie-keeping HTTP(S) client for one person, on fresh connections each time."""

    port: int
    host_header: str = "127.0.0.1"
    https: bool = False
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.host_header}"

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        if self.https:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
            return http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=timeout, context=context
            )
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def headers(self, path: str, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Host": self.host_header, "Referer": self.origin + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> Response:
        conn = self.connection(timeout)
        try:
            conn.request(method, path, body=body, headers=self.headers(path, headers))
            raw = conn.getresponse()
            response = Response(raw.status, dict(raw.getheaders()), raw.read())
            self.keep_cookies(raw.headers.get_all("Set-Cookie") or [])
            return response
        finally:
            conn.close()

    def keep_cookies(self, set_cookie_headers: list[str]) -> None:
        for header in set_cookie_headers:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value

    def csrf_token(self, path: str) -> str:
        page = self.request("GET", path)
        assert page.status == 200, (path, page.status, page.text[:500])
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert match, page.text[:500]
        return match.group(1)

    def log_in(self, username: str, password: str) -> None:
        token = self.csrf_token("/masuk/")
        form = urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": password}
        ).encode()
        response = self.request(
            "POST",
            "/masuk/",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status == 302, (response.status, response.text[:1000])
        assert "sessionid" in self.cookies


def postgres_database(url: str, name: str, *, create: bool) -> None:
    """Drop database ``name`` of the server at ``url`` (and create it anew with ``create``)."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')

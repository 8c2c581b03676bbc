"""`warta setup` + `warta serve` (what `make run` does) on a fresh data dir, end to end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

WARTA = str(Path(sys.executable).with_name("warta"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fresh_env(tmp_path):
    env = {**os.environ, "WARTA_DATA_DIR": str(tmp_path / "var")}
    env.pop("WARTA_DATABASE_URL", None)  # `make run` is SQLite
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def test_setup_then_serve_then_ctrl_c(fresh_env, tmp_path):
    setup = subprocess.run(
        [WARTA, "setup"], env=fresh_env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert setup.returncode == 0, setup.stderr
    assert "SDM.6.OT.02.02-3002" in setup.stdout
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0  # kept by setup, private
    logins = (tmp_path / "var" / "demo-logins.txt").read_text()
    for username in ("admin", "humas", "kasubbag", "kabag"):
        assert f"  {username} " in logins

    again = subprocess.run(
        [WARTA, "setup"], env=fresh_env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "var" / "demo-logins.txt").read_text() == logins  # users made once

    port = free_port()
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [WARTA, "serve", "--port", str(port)],
        env=fresh_env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        body = ""
        for _ in range(600):  # up to 2 minutes on a busy machine
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/") as resp:
                    body = resp.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "Warta" in body
        assert 'lang="id"' in body
        for _ in range(300):  # the background worker starts beside the web server
            if "Starting worker" in log_path.read_text():
                break
            time.sleep(0.2)
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
    log.close()
    output = log_path.read_text()
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/" in output
    assert "humas" in output  # the demo logins are printed
    assert "Starting worker" in output
    assert "shutting down" in output.lower()  # both stopped cleanly


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8000, "http://127.0.0.1:8000"),
        ("127.0.0.1", 9000, "http://127.0.0.1:9000"),
        ("0.0.0.0", 8080, "http://127.0.0.1:8080"),
        ("::", 8080, "http://127.0.0.1:8080"),
        ("::1", 9000, "http://[::1]:9000"),
        ("warta.local", 80, "http://warta.local"),
    ],
)
def test_default_site_url_follows_host_and_port(host, port, url):
    from warta.config.settings import site_url_for

    assert site_url_for(host, port) == url


def _site_url(env: dict[str, str], cwd: Path) -> str:
    code = "from django.conf import settings; print(settings.WARTA_SITE_URL)"
    done = subprocess.run(
        [WARTA, "shell", "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_only_warta_port_set_moves_the_links_too(fresh_env, tmp_path):
    env = {k: v for k, v in fresh_env.items() if k not in {"WARTA_SITE_URL", "WARTA_HOST"}}
    assert _site_url({**env, "WARTA_PORT": "8123"}, tmp_path) == "http://127.0.0.1:8123"
    configured = {**env, "WARTA_PORT": "8123", "WARTA_SITE_URL": "https://warta.example.go.id"}
    assert _site_url(configured, tmp_path) == "https://warta.example.go.id"

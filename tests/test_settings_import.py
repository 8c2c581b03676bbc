"""Importing the settings has no side effects: no directory is created, no file written. The
``warta`` command prepares the data dir and keeps the secret key (warta.config.datadir)."""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from warta.config import datadir

PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("WARTA_", "DJANGO_"))
    }
    env.update({"DJANGO_SETTINGS_MODULE": "warta.config.settings", "WARTA_DATA_DIR": str(data_dir)})
    env.update(extra)
    return env


def _python(code: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _tree(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def test_importing_the_settings_creates_nothing(tmp_path):
    absent = tmp_path / "var"
    done = _python(PRINT_KEY, tmp_path, _env(absent))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()  # a key for this process
    assert _tree(tmp_path) == []  # neither the data dir, nor its static dir, nor a key file

    absent.mkdir()
    done = _python("import warta.config.settings", tmp_path, _env(absent))
    assert done.returncode == 0, done.stderr
    assert _tree(tmp_path) == ["var"]


def test_the_settings_read_the_kept_key(tmp_path):
    (tmp_path / datadir.SECRET_KEY_FILE).write_text("kept-key-0123456789\n")
    done = _python(PRINT_KEY, tmp_path, _env(tmp_path))
    assert done.stdout.strip() == "kept-key-0123456789"
    done = _python(PRINT_KEY, tmp_path, _env(tmp_path, WARTA_SECRET_KEY="configured-key"))
    assert done.stdout.strip() == "configured-key"


def test_production_without_a_key_fails_with_a_clear_message(tmp_path):
    done = _python(PRINT_KEY, tmp_path, _env(tmp_path, WARTA_HTTPS="true"))
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "WARTA_SECRET_KEY" in done.stderr and "warta setup" in done.stderr
    assert _tree(tmp_path) == []


def test_the_command_keeps_the_key_once_readable_by_its_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("WARTA_SECRET_KEY", raising=False)
    target = tmp_path / "var"
    datadir.ensure_secret_key(target)
    key_file = target / datadir.SECRET_KEY_FILE
    key = key_file.read_text()
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert (target / datadir.STATIC_DIR).is_dir()
    datadir.ensure_secret_key(target)
    assert key_file.read_text() == key  # generated once


def test_a_configured_key_is_never_written(tmp_path, monkeypatch):
    monkeypatch.setenv("WARTA_SECRET_KEY", "configured-key")
    datadir.ensure_secret_key(tmp_path)
    assert not (tmp_path / datadir.SECRET_KEY_FILE).exists()


@pytest.mark.parametrize(
    ("command", "https", "keeps_key"),
    [
        ("check", "false", False),
        ("worker", "false", True),
        ("web", "false", True),
        # Production: a server never invents a key; the settings refuse to start without one.
        ("worker", "true", False),
        ("web", "true", False),
    ],
)
def test_the_warta_command_prepares_the_data_dir(tmp_path, monkeypatch, command, https, keeps_key):
    from warta import cli

    target = tmp_path / "var"
    monkeypatch.setenv("WARTA_DATA_DIR", str(target))
    monkeypatch.setenv("WARTA_HTTPS", https)
    monkeypatch.delenv("WARTA_SECRET_KEY", raising=False)
    monkeypatch.setattr(cli, "_web", lambda argv: 0)
    ran = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda args: ran.append(args)
    )
    with pytest.raises(SystemExit) if command == "web" else contextlib.nullcontext():
        cli.main([command])
    assert (ran or command == "web") and target.is_dir()
    assert (target / datadir.SECRET_KEY_FILE).exists() == keeps_key

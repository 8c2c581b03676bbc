"""Django's deployment checklist passes with the production settings: HTTPS on, a real secret
key, debug off. Run in a subprocess so the settings are read exactly as a server reads them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess:
    # A server's environment: none of the test run's Warta or Django variables (the browser
    # tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, which check --deploy rightly reports).
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("WARTA_", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "warta.config.settings",
            "WARTA_HTTPS": "true",
            "WARTA_DEBUG": "false",
            "WARTA_SECRET_KEY": secrets.token_urlsafe(64),
            "WARTA_DATA_DIR": str(tmp_path),
            "WARTA_ALLOWED_HOSTS": "warta.example.go.id",
            **extra,
        }
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    result = _check_deploy(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_notices_a_weak_setting(tmp_path):
    """The check is real: debug on in production is reported."""
    result = _check_deploy(tmp_path, WARTA_DEBUG="true")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr

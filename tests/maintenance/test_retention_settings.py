"""The retention settings are whole numbers of days, 0 or more; anything else stops the start
with a message naming the setting (WARTA_NOTIFICATION_RETENTION_DAYS=0 keeps notifications for
ever)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

PRINT = (
    "from django.conf import settings; print(settings.WARTA_MAIL_RETENTION_DAYS, "
    "settings.WARTA_TASK_RESULT_RETENTION_DAYS, settings.WARTA_NOTIFICATION_RETENTION_DAYS)"
)


def _settings(tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("WARTA_", "DJANGO_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="warta.config.settings", WARTA_DATA_DIR=str(tmp_path), **env
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_defaults_and_zero(tmp_path):
    done = _settings(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["30", "7", "365"]
    done = _settings(tmp_path, WARTA_NOTIFICATION_RETENTION_DAYS="0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["30", "7", "0"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WARTA_NOTIFICATION_RETENTION_DAYS", "-1"),
        ("WARTA_NOTIFICATION_RETENTION_DAYS", "a year"),
        ("WARTA_NOTIFICATION_RETENTION_DAYS", "1.5"),
        ("WARTA_MAIL_RETENTION_DAYS", "-30"),
        ("WARTA_TASK_RESULT_RETENTION_DAYS", ""),
    ],
)
def test_a_bad_value_stops_the_start_naming_the_setting(tmp_path, name, value):
    done = _settings(tmp_path, **{name: value})
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert f"{name} must be a whole number of days, 0 or more" in done.stderr

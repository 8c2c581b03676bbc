"""`warta calendar due|between`: the worked examples of DESIGN.md, and clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

WARTA = str(Path(sys.executable).with_name("warta"))


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        ("2026-11-27T16:20", "30m", "2026-11-30T07:50:00+07:00"),
        ("2026-12-23T15:50", "30m", "2026-12-28T07:50:00+07:00"),
        ("2026-11-30T11:00", "2h", "2026-11-30T14:00:00+07:00"),
        ("2026-11-30T04:00:00Z", "2h", "2026-11-30T14:00:00+07:00"),  # 11:00 WIB given in UTC
    ],
)
def test_due(start, duration, due):
    assert run("due", start, duration) == due


@pytest.mark.django_db
def test_between():
    assert run("between", "2026-11-27T16:20", "2026-11-30T07:50").splitlines()[0] == "30m"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("due", "kemarin", "30m"), "Waktu tidak valid"),
        (("due", "2026-11-27T16:20", "30x"), "Durasi tidak valid"),
        (("between", "2026-11-27T16:20", "besok"), "Waktu tidak valid"),
    ],
)
def test_bad_input_is_a_clear_error(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_real_command_line(tmp_path):
    env = {**os.environ, "WARTA_DATA_DIR": str(tmp_path)}
    env.pop("WARTA_DATABASE_URL", None)
    subprocess.run([WARTA, "migrate", "-v0"], env=env, check=True, timeout=300)
    done = subprocess.run(
        [WARTA, "calendar", "due", "2026-11-27T16:20", "30m"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and done.stdout.strip() == "2026-11-30T07:50:00+07:00"
    bad = subprocess.run(
        [WARTA, "calendar", "due", "2026-11-27T16:20", "tiga puluh menit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "Durasi tidak valid" in bad.stderr and bad.stdout == ""

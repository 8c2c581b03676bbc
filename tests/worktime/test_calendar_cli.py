"""``warta calendar``: due, between, day — through call_command and once as a real process."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        ("2026-11-27T16:20", "30m", "2026-11-30T07:50:00+07:00"),
        ("2026-12-23T15:50", "30m", "2026-12-28T07:50:00+07:00"),
        ("2026-11-30T11:00", "2h", "2026-11-30T14:00:00+07:00"),
        ("2026-11-30 07:30", "1d", "2026-11-30T16:00:00+07:00"),
        ("2026-11-30T07:30", "1h30m", "2026-11-30T09:00:00+07:00"),
        # an explicit offset is honoured; output is always WIB
        ("2026-11-27T09:20:00Z", "30m", "2026-11-30T07:50:00+07:00"),
        ("2026-11-27T18:20+09:00", "30m", "2026-11-30T07:50:00+07:00"),
    ],
)
def test_due(start, duration, expected):
    assert run("due", start, duration) == expected + "\n"


def test_between_prints_a_duration_or_plain_minutes():
    assert run("between", "2026-11-27T16:20", "2026-11-30T09:00") == "1h40m\n"
    assert run("between", "2026-11-27T16:20", "2026-11-30T09:00", "--minutes") == "100\n"
    assert run("between", "2026-11-30T07:30", "2026-12-07T07:30") == "37h30m\n"
    assert run("between", "2026-11-30T10:00", "2026-11-30T09:00") == "0m\n"
    assert run("between", "2026-11-30T10:00", "2026-11-30T09:00", "--minutes") == "0\n"


def test_day_describes_each_date():
    lines = run("day", "2026-12-23", "--days", "3").splitlines()
    assert lines == [
        "2026-12-23 Rabu: hari kerja 07:30–12:00, 13:00–16:00 (7h30m)",
        "2026-12-24 Kamis: libur nasional/cuti bersama — Cuti Bersama Hari Raya Natal",
        "2026-12-25 Jumat: libur nasional/cuti bersama — Hari Raya Natal",
    ]
    assert run("day", "2026-11-28") == "2026-11-28 Sabtu: libur akhir pekan\n"


def test_the_configured_calendar_is_used():
    from warta.worktime.models import HolidayOverride

    HolidayOverride.objects.create(
        date=dt.date(2026, 11, 30), kind="day_off", description="Hari jadi kabupaten"
    )
    assert run("due", "2026-11-27T16:20", "30m") == "2026-12-01T07:50:00+07:00\n"
    assert run("day", "2026-11-30") == "2026-11-30 Senin: libur lokal — Hari jadi kabupaten\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("due", "2026-13-27T16:20", "30m"), "Waktu tidak valid: '2026-13-27T16:20'; gunakan"),
        (("due", "kemarin", "30m"), "Waktu tidak valid: 'kemarin'"),
        (("due", "2026-11-27T16:20", "30x"), "Durasi tidak valid: '30x'"),
        (("due", "2026-11-27T16:20", "0m"), "Durasi tidak valid: '0m'"),
        (("between", "2026-11-27T16:20", "nanti"), "Waktu tidak valid: 'nanti'"),
        (("day", "2026-02-30"), "Tanggal tidak valid: '2026-02-30'"),
        (("day", "2026-02-03", "--days", "0"), "--days harus antara 1 dan 366"),
    ],
)
def test_bad_input_is_one_clear_error_and_nothing_else(args, message):
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("calendar", *args, stdout=out)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert out.getvalue() == ""


def test_a_calendar_without_working_time_is_reported():
    from warta.worktime.models import WeekdayHours

    WeekdayHours.objects.all().delete()  # the data migration seeded the default week
    WeekdayHours.objects.bulk_create(
        WeekdayHours(weekday=day, is_working=False) for day in range(7)
    )
    with pytest.raises(CommandError, match="Tidak ada waktu kerja selama 10 tahun"):
        run("due", "2026-11-27T16:20", "30m")


# --- as a real process ----------------------------------------------------------------------

WARTA = Path(sys.executable).parent / "warta"


def run_process(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARTA_")}
    env["WARTA_DATA_DIR"] = str(tmp_path)  # a fresh, never migrated SQLite database
    return subprocess.run(
        [str(WARTA), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_the_warta_command_without_a_migrated_database(tmp_path):
    done = run_process(tmp_path, "calendar", "due", "2026-11-27T16:20", "30m")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "2026-11-30T07:50:00+07:00\n"
    assert "belum ada" in done.stderr  # the warning that the defaults were used


def test_the_warta_command_on_a_migrated_database(tmp_path):
    migrate = run_process(tmp_path, "migrate", "-v0")
    assert migrate.returncode == 0, migrate.stderr
    done = run_process(tmp_path, "calendar", "due", "2026-12-23T15:50", "30m")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2026-12-28T07:50:00+07:00\n", "")


def test_the_warta_command_fails_cleanly_on_bad_input(tmp_path):
    done = run_process(tmp_path, "calendar", "due", "2026-11-27T25:00", "30m")
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "CommandError: Waktu tidak valid: '2026-11-27T25:00'; gunakan format ISO 8601, "
        "mis. 2026-11-27T16:20"
    ]

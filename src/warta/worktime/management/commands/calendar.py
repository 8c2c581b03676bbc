"""``warta calendar``: working-time arithmetic on the configured calendar, for people and scripts.

    warta calendar due 2026-11-27T16:20 30m            → 2026-11-30T07:50:00+07:00
    warta calendar between 2026-11-27T16:20 2026-11-30T09:00   → 1h40m
    warta calendar between … --minutes                 → 100
    warta calendar day 2026-12-21 --days 7             → one line per day

Instants are ISO 8601; without an offset they are WIB (Asia/Jakarta). Output is one line per
answer on stdout; errors are one line on stderr with a non-zero exit status.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from warta.sop.durations import DurationFormatError, format_duration, parse_duration
from warta.worktime.calendar import NoWorkingTimeError, WorkCalendar
from warta.worktime.config import get_calendar
from warta.worktime.zone import JAKARTA

DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
KIND_NAMES = {
    "working": "hari kerja",
    "working_override": "hari kerja (ditetapkan)",
    "weekly_off": "libur akhir pekan",
    "holiday": "libur nasional/cuti bersama",
    "day_off": "libur lokal",
}
MAX_DAYS = 366


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant; a value without an offset is taken as WIB."""
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"Waktu tidak valid: {text!r}; gunakan format ISO 8601, mis. 2026-11-27T16:20"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=JAKARTA)
    return value


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"Tanggal tidak valid: {text!r}; gunakan format ISO 8601, mis. 2026-12-24"
        ) from None


def iso_instant(value: dt.datetime) -> str:
    """``value`` in ISO 8601 with the WIB offset, for scripts: ``2026-11-30T07:50:00+07:00``."""
    local = value.astimezone(JAKARTA)
    return local.isoformat(timespec="seconds" if not local.microsecond else "microseconds")


def describe_day(calendar: WorkCalendar, day: dt.date) -> str:
    info = calendar.describe(day)
    text = f"{day.isoformat()} {DAY_NAMES[day.weekday()]}: {KIND_NAMES[info.kind]}"
    if info.hours is not None:
        spans = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in info.hours.spans)
        text += f" {spans} ({format_duration(info.hours.working_time)})"
    notes = [n for n in (info.note, info.special_period) if n]
    if notes:
        text += " — " + "; ".join(dict.fromkeys(notes))
    return text


class Command(BaseCommand):
    help = (
        "Working time on the configured calendar (WIB): `calendar due START DURATION`, "
        "`calendar between START END [--minutes]`, `calendar day DATE [--days N]`."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="when DURATION of working time from START is used up")
        due.add_argument("start", help="ISO 8601 instant, WIB if no offset: 2026-11-27T16:20")
        due.add_argument("duration", help="working time: 30m, 2h, 1d (= 7h30m), 1h30m")
        between = sub.add_parser("between", help="working time from START to END")
        between.add_argument("start", help="ISO 8601 instant, WIB if no offset")
        between.add_argument("end", help="ISO 8601 instant, WIB if no offset")
        between.add_argument(
            "--minutes",
            action="store_true",
            help="print whole minutes (an integer) instead of e.g. 2h30m",
        )
        day = sub.add_parser("day", help="how a date is treated: hours, holiday, day off")
        day.add_argument("date", help="ISO 8601 date: 2026-12-24")
        day.add_argument("--days", type=int, default=1, help=f"show N days (1–{MAX_DAYS})")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "due":
            start = parse_instant(options["start"])
            try:
                duration = parse_duration(options["duration"])
            except DurationFormatError:
                raise CommandError(
                    f"Durasi tidak valid: {options['duration']!r}; gunakan mis. 30m, 2h, 1d "
                    "atau 1h30m (1d = 7 jam 30 menit kerja)"
                ) from None
            try:
                due = get_calendar().add(start, duration)
            except NoWorkingTimeError:
                raise CommandError(
                    f"Tidak ada waktu kerja selama 10 tahun setelah {iso_instant(start)}; "
                    "periksa konfigurasi kalender kerja (jam kerja, periode khusus, hari libur)"
                ) from None
            self.stdout.write(iso_instant(due))
        elif action == "between":
            start = parse_instant(options["start"])
            end = parse_instant(options["end"])
            worked = get_calendar().between(start, end)
            if options["minutes"]:
                self.stdout.write(str(int(worked.total_seconds() // 60)))
            else:
                self.stdout.write(format_duration(worked))
        else:
            first = parse_date(options["date"])
            count = options["days"]
            if not 1 <= count <= MAX_DAYS:
                raise CommandError(f"--days harus antara 1 dan {MAX_DAYS}, bukan {count}")
            calendar = get_calendar()
            for offset in range(count):
                self.stdout.write(describe_day(calendar, first + dt.timedelta(days=offset)))

"""Working-time calendar speed, against a naive minute-by-minute reference in the same run.

    .venv/bin/python bench/calendar_bench.py [N]

Prints due-time computations per second for Warta's interval arithmetic and for the reference
(which walks one minute at a time), and checks that both give the same answers.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from warta.worktime.calendar import WorkCalendar
from warta.worktime.zone import JAKARTA


def reference_add(calendar: WorkCalendar, start: dt.datetime, duration: dt.timedelta):
    """Walk minute by minute: obviously right, obviously slow."""
    remaining = int(duration.total_seconds() // 60)
    current = start
    while remaining:
        if calendar.is_working_time(current):
            remaining -= 1
        current += dt.timedelta(minutes=1)
    return current


def main(n: int) -> None:
    calendar = WorkCalendar.default()
    rng = random.Random(20261128)
    base = dt.datetime(2026, 1, 1, tzinfo=JAKARTA)
    cases = [
        (
            base + dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60)),
            dt.timedelta(minutes=rng.choice([5, 10, 30, 120, 450, 900])),
        )
        for _ in range(n)
    ]
    calendar.add(base, dt.timedelta(minutes=1))  # warm the holiday cache
    t0 = time.perf_counter()
    fast = [calendar.add(start, duration) for start, duration in cases]
    t_fast = time.perf_counter() - t0
    sample = cases[: max(1, n // 20)]
    t0 = time.perf_counter()
    slow = [reference_add(calendar, start, duration) for start, duration in sample]
    t_slow = time.perf_counter() - t0
    mismatches = sum(a != b for a, b in zip(fast, slow, strict=False))
    print(f"warta   add(): {n / t_fast:12,.0f} per second ({n} due times)")
    print(f"naive   add(): {len(sample) / t_slow:12,.0f} per second ({len(sample)} due times)")
    print(f"speed-up: {(n / t_fast) / (len(sample) / t_slow):.0f}x; mismatches: {mismatches}")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    django.setup()
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)

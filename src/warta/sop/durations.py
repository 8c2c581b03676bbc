"""Time standards as written in SOP definitions: ``30m``, ``2h``, ``1d``, ``1h30m``.

A day (``d``) is one standard working day of 7 h 30 min (Perpres 21/2023: 37.5 h over five
days), so ``1d`` always means the same amount of working time whatever the calendar says.
"""

from __future__ import annotations

import datetime as dt
import re

WORKING_DAY = dt.timedelta(hours=7, minutes=30)
_UNITS = {"d": WORKING_DAY, "h": dt.timedelta(hours=1), "m": dt.timedelta(minutes=1)}
_PATTERN = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?$")


class DurationFormatError(ValueError):
    pass


def parse_duration(text: str) -> dt.timedelta:
    """Parse ``30m``/``2h``/``1d``/``1h30m`` (units in that order, each at most once)."""
    cleaned = str(text).strip().lower().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if not cleaned or not match or not any(match.groupdict().values()):
        raise DurationFormatError(text)
    total = dt.timedelta()
    for unit, amount in match.groupdict().items():
        if amount:
            total += int(amount) * _UNITS[unit]
    if total <= dt.timedelta():
        raise DurationFormatError(text)
    return total


def format_duration(value: dt.timedelta) -> str:
    """The shortest ``XhYm`` spelling of a duration (days are not used: they read ambiguously)."""
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"

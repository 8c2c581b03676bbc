"""Warta's one time zone, Asia/Jakarta (WIB), and the one way an instant is shown in it.

Stored times are UTC. Working time is counted, and every time shown to people is written, in
WIB (UTC+7, no daylight saving time). Everything that needs the zone imports :data:`JAKARTA`
from here; everything that shows an instant to a person calls :func:`format_instant` (in
templates through the ``wib`` filter of ``warta.ui``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ["JAKARTA", "TIME_ZONE_NAME", "format_instant", "local_date", "localtime"]

#: The IANA name, for settings (``TIME_ZONE``) and tools that want a name, not an object.
TIME_ZONE_NAME = "Asia/Jakarta"
JAKARTA = ZoneInfo(TIME_ZONE_NAME)

#: How :func:`format_instant` writes an instant unless told otherwise: ``28 November 2026 07:50``.
DEFAULT_FORMAT = "j F Y H:i"


def localtime(value: dt.datetime) -> dt.datetime:
    """``value`` (aware) as a WIB wall-clock time, whatever time zone is active."""
    return value.astimezone(JAKARTA)


def local_date(value: dt.datetime) -> dt.date:
    """The date in Jakarta at the instant ``value`` (aware)."""
    return value.astimezone(JAKARTA).date()


def format_instant(value: dt.datetime, fmt: str = DEFAULT_FORMAT) -> str:
    """An instant as people in the office read it: ``28 November 2026 07:50 WIB``.

    ``fmt`` is a Django date format (``"j M Y H:i"`` gives ``28 Nov 2026 07:50 WIB``); month and
    day names follow the active language.
    """
    from django.utils import formats  # here, so that settings can import this module

    return f"{formats.date_format(localtime(value), fmt)} WIB"

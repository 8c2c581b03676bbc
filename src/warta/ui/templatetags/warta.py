"""Formatting helpers for times and durations as people in an Indonesian office read them."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import formats, timezone
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def wib(value: dt.datetime | None, fmt: str = "j M Y H:i") -> str:
    """``28 Des 2026 07:50 WIB``."""
    if value is None:
        return "—"
    return f"{formats.date_format(timezone.localtime(value), fmt)} WIB"


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A working-time span: ``2 jam 5 menit``, ``10 menit``."""
    if value is None:
        return "—"
    minutes = int(abs(value.total_seconds()) // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes or not hours:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None

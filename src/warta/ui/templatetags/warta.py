"""Formatting helpers for times and durations as people in an Indonesian office read them."""

from __future__ import annotations

import datetime as dt

from django import forms, template
from django.utils.translation import ngettext
from js_asset import Media

from warta.worktime.zone import format_instant

register = template.Library()


@register.filter
def wib(value: dt.datetime | None, fmt: str = "j M Y H:i") -> str:
    """``28 Des 2026 07:50 WIB`` (see :func:`warta.worktime.zone.format_instant`)."""
    if value is None:
        return "—"
    return format_instant(value, fmt)


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


@register.simple_tag(takes_context=True)
def media_with_nonce(context, media: forms.Media) -> str:
    """A form's media, every tag carrying this response's CSP nonce.

    The rich-text editor needs an inline ``<script type="importmap">``, which the policy allows
    only with the nonce; django-csp adds the nonce to the header once it has been read here.
    """
    request = context.get("request")
    # django-csp's lazy nonce is falsy until read, so test for its presence, not its truth.
    nonce = getattr(request, "csp_nonce", None)
    if nonce is None:  # no CSP middleware (a page rendered outside a request)
        return media.render()
    return Media.from_media(media, nonce=str(nonce)).render()

"""The channels a news item can target. The built-in website is always one of them; the others
are recorded by hand until their connectors exist (a later issue)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

WEBSITE = "website"

CHANNELS = [
    (WEBSITE, _("Institution website")),
    ("instagram", "Instagram"),
    ("facebook", "Facebook"),
    ("youtube", "YouTube"),
    ("x", "X (Twitter)"),
    ("tiktok", "TikTok"),
]
CHANNEL_NAMES = dict(CHANNELS)
OTHER_CHANNELS = [code for code, _name in CHANNELS if code != WEBSITE]


def channel_name(code: str) -> str:
    return str(CHANNEL_NAMES.get(code, code))


def clean_channels(values: Iterable[str]) -> list[str]:
    """The known channels among ``values``, in the list's order; the website is always one."""
    chosen = {value for value in values if value in CHANNEL_NAMES}
    chosen.add(WEBSITE)
    return [code for code, _name in CHANNELS if code in chosen]

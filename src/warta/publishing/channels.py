"""The channels a news item can target: the active channel accounts, by code. The built-in
website is always one of them. ``newsroom`` stores an item's choice as account codes."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

WEBSITE = "website"

# Display names of the platforms (an account's own name is shown where the account is known).
PLATFORM_NAMES = {
    WEBSITE: _("Institution website"),
    "wordpress": "WordPress",
    "instagram": "Instagram",
    "facebook": "Facebook",
    "youtube": "YouTube",
    "x": "X (Twitter)",
    "tiktok": "TikTok",
}


def _accounts():
    from warta.publishing.models import ChannelAccount

    return ChannelAccount.objects.filter(active=True).order_by("position", "name", "pk")


def choices() -> list[tuple[str, str]]:
    """(code, name) of every active account, the website first."""
    rows = [
        (a.code, a.name if a.platform != WEBSITE else str(PLATFORM_NAMES[WEBSITE]))
        for a in _accounts()
    ]
    rows.sort(key=lambda row: row[0] != WEBSITE)
    if not rows or rows[0][0] != WEBSITE:
        rows.insert(0, (WEBSITE, str(PLATFORM_NAMES[WEBSITE])))
    return rows


def channel_name(code: str) -> str:
    """The name of an account code (or of a platform code): ``instagram`` → ``Instagram``."""
    if code in PLATFORM_NAMES:
        return str(PLATFORM_NAMES[code])
    from warta.publishing.models import ChannelAccount

    account = ChannelAccount.objects.filter(code=code).only("name").first()
    return account.name if account else code


def platforms_of(codes: Iterable[str]) -> list[str]:
    """The platform codes of the accounts ``codes`` (for platform rules such as video limits)."""
    from warta.publishing.models import ChannelAccount

    codes = list(codes)
    found = dict(ChannelAccount.objects.filter(code__in=codes).values_list("code", "platform"))
    return list(dict.fromkeys(found.get(code, code) for code in codes))


def clean_channels(values: Iterable[str]) -> list[str]:
    """The active accounts among ``values``, in the accounts' order; the website is always one."""
    chosen = {value for value in values} | {WEBSITE}
    return [code for code, _name in choices() if code in chosen]

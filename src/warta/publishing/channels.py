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


def channel_name(code: str, account_name: str | None = None) -> str:
    """The name of an account code (or of a platform code): ``instagram`` → ``Instagram``.
    ``account_name``: the account's name when the caller has it loaded (no query then)."""
    if code in PLATFORM_NAMES:
        return str(PLATFORM_NAMES[code])
    if account_name is not None:
        return account_name
    from warta.publishing.models import ChannelAccount

    account = ChannelAccount.objects.filter(code=code).only("name").first()
    return account.name if account else code


def channel_names(codes: Iterable[str]) -> list[str]:
    """:func:`channel_name` of each of ``codes``, in order, in at most one query."""
    from warta.publishing.models import ChannelAccount

    codes = list(codes)
    unknown = [code for code in codes if code not in PLATFORM_NAMES]
    names = (
        dict(ChannelAccount.objects.filter(code__in=unknown).values_list("code", "name"))
        if unknown
        else {}
    )
    return [channel_name(code, names.get(code, code)) for code in codes]


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

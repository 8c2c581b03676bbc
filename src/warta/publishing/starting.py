"""The channel accounts every installation starts with: the built-in website, and one account
used by hand for each platform the Directorate General's social-media guideline names. An
administrator connects them to the APIs, renames them or adds more.

They are made after every ``migrate`` (and every ``flush``, which tests use) when missing, so a
database never lacks the website account; existing accounts are never changed."""

from __future__ import annotations

from typing import Any

STARTING_ACCOUNTS = [
    # code, name, platform, mode
    ("website", "Situs web institusi", "website", "api"),
    ("instagram", "Instagram", "instagram", "manual"),
    ("facebook", "Facebook", "facebook", "manual"),
    ("youtube", "YouTube", "youtube", "manual"),
    ("x", "X (Twitter)", "x", "manual"),
    ("tiktok", "TikTok", "tiktok", "manual"),
]


def ensure_starting_accounts(using: str = "default", apps: Any = None, **_signal: Any) -> int:
    """Create the starting accounts that do not exist (by code); return how many were made.

    As a ``post_migrate`` receiver it uses the migrated state's model (``apps``), so a database
    migrated back to before the accounts existed is left alone."""
    if apps is None:
        from warta.publishing.models import ChannelAccount
    else:
        try:
            ChannelAccount = apps.get_model("publishing", "ChannelAccount")
        except LookupError:
            return 0

    existing = set(ChannelAccount.objects.using(using).values_list("code", flat=True))
    made = [
        ChannelAccount(code=code, name=name, platform=platform, mode=mode, position=position)
        for position, (code, name, platform, mode) in enumerate(STARTING_ACCOUNTS)
        if code not in existing
    ]
    ChannelAccount.objects.using(using).bulk_create(made)
    return len(made)

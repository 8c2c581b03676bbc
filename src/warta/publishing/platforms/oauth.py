"""What connectors with renewable OAuth 2.0 tokens share (X, TikTok): when the stored access
token counts as expired, and how a renewed token pair is kept.

Each platform sends its own refresh request (the shapes differ); the answer's common fields
(``access_token``, ``refresh_token``, ``expires_in``) are handled here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

EXPIRES_AT = "access_token_expires_at"  # stored with the credentials, ISO 8601
RENEW_MARGIN = dt.timedelta(seconds=60)  # renew this long before the stored expiry


def parse_time(value: str) -> dt.datetime | None:
    """An ISO 8601 time (``Z`` allowed; naive means UTC), or ``None`` when empty or unreadable."""
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def stored_expiry(credentials: dict[str, str]) -> dt.datetime | None:
    return parse_time(credentials.get(EXPIRES_AT, ""))


def token_expired(credentials: dict[str, str]) -> bool:
    """The stored access token is expired or about to be."""
    expires = stored_expiry(credentials)
    return expires is not None and timezone.now() >= expires - RENEW_MARGIN


def keep_renewed(
    credentials: dict[str, str],
    body: dict,
    *,
    default_lifetime: float,
    save: Callable[[dict[str, str], dt.datetime | None], None],
) -> str:
    """Keep the token pair of a successful refresh answer ``body`` — saved (``save``) before it
    is used, since the old refresh token no longer works — and return the new access token."""
    token = str(body["access_token"])
    lifetime = float(body.get("expires_in") or default_lifetime)
    expires_at = timezone.now() + dt.timedelta(seconds=lifetime)
    renewed = {
        "access_token": token,
        "refresh_token": str(body.get("refresh_token") or credentials["refresh_token"]),
        EXPIRES_AT: expires_at.isoformat(),
    }
    save(dict(renewed), expires_at)
    credentials.update(renewed)
    return token

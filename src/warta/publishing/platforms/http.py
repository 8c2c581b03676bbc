"""HTTP for the connectors: one client, and the one place that decides what a failed request
means (nothing created / maybe created / refused)."""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Mapping
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _

from warta.publishing.platforms.base import Ambiguous, Transient

USER_AGENT = "Warta/1 (+https://github.com/warta; publishing)"

# Failures before the request left this machine: nothing can have been created.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
# Failures after (part of) the request was sent: the platform may have acted on it.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def client(
    base_url: str, *, timeout: float, headers: Mapping[str, str] | None = None
) -> httpx.Client:
    """A client for one platform's API. Redirects are not followed (an API that redirects a
    POST is not one Warta should trust with a token)."""
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        follow_redirects=False,
    )


def send(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    platform: str,
    creates: bool,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request and return the response, whatever its status. A request that never
    left raises ``Transient``; one whose answer was lost raises ``Ambiguous`` when it
    ``creates`` something (a POST that makes a post or uploads media) and ``Transient`` when
    repeating it is harmless (reads, status checks, idempotent updates)."""
    try:
        return http.request(method, url, **kwargs)
    except _NOT_SENT as exc:
        raise Transient(
            _("%(platform)s could not be reached (%(error)s).")
            % {"platform": platform, "error": type(exc).__name__}
        ) from exc
    except _MAYBE_SENT as exc:
        message = _("The connection to %(platform)s broke before it answered (%(error)s).") % {
            "platform": platform,
            "error": type(exc).__name__,
        }
        if creates:
            raise Ambiguous(
                message,
                advice=_("Warta checks whether the post was made before sending it again."),
            ) from exc
        raise Transient(message) from exc


def retry_after(response: httpx.Response, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (seconds or an HTTP date), else
    ``None``."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or timezone.now())).total_seconds())


def json_or_empty(response: httpx.Response) -> dict:
    """The response body as a JSON object, or ``{}`` when it is not one (an HTML error page)."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

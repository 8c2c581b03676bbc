"""What the Facebook Page and Instagram connectors share: the Graph API host and version, one
request helper, and the one function that reads a Graph error body.

Sources (read 2026-11):

- Error bodies and codes (190/102 token, 1/2 temporary, 4/17/32/613 throttling, 10 and
  200-299 permissions, 368 blocked): https://developers.facebook.com/docs/graph-api/guides/error-handling
- Rate limits, the ``X-Business-Use-Case-Usage`` header and its
  ``estimated_time_to_regain_access`` (minutes), the Pages (80001) and Instagram (80002)
  business-use-case codes: https://developers.facebook.com/docs/graph-api/overview/rate-limiting
- Instagram error codes (code 9 / subcode 2207042 = publishing limit reached, 36000-36004,
  352, 9004 and the 2207xxx media subcodes):
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/error-codes
- Token metadata (``expires_at``; 0 = never), any valid token of the same app may ask:
  https://developers.facebook.com/docs/facebook-login/guides/access-tokens/debugging
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from django.utils.translation import gettext as _

from warta.publishing.platforms import http
from warta.publishing.platforms.base import (
    Ambiguous,
    ChannelError,
    ConnectionInfo,
    MediaRejected,
    Permanent,
    Platform,
    TokenExpired,
    Transient,
)

GRAPH_VERSION = "v25.0"
GRAPH_URL = "https://graph.facebook.com"
# Video uploads go to their own host (https://developers.facebook.com/docs/graph-api/video-uploads).
GRAPH_VIDEO_URL = "https://graph-video.facebook.com"

TOKEN_CODES = {102, 190}
THROTTLE_CODES = {4, 17, 32, 613, 80001, 80002}
PUBLISH_LIMIT_SUBCODE = 2207042  # Instagram: posts per 24 hours used up (code 9)
SPAM_SUBCODE = 2207051  # Instagram: "We restrict certain activity to protect our community"
MEDIA_CODES = {324, 352, 6000, 6001, 9004, 36000, 36001, 36002, 36003, 36004}
# 2207xxx subcodes the Instagram table says to simply try again.
RETRY_SUBCODES = {2207001, 2207003, 2207020, 2207027, 2207032, 2207053}
GONE_SUBCODE = 33  # code 100: "Object does not exist, cannot be loaded due to missing permissions"


def error_detail(body: dict) -> dict:
    error = body.get("error")
    return error if isinstance(error, dict) else {}


def regain_after(response: httpx.Response) -> float | None:
    """Seconds until the throttle lifts: ``estimated_time_to_regain_access`` (minutes) from
    ``X-Business-Use-Case-Usage``, else a ``Retry-After`` header, else ``None``."""
    raw = response.headers.get("x-business-use-case-usage", "")
    minutes = None
    if raw:
        try:
            usage = json.loads(raw)
        except ValueError:
            usage = {}
        for entries in usage.values() if isinstance(usage, dict) else ():
            for entry in entries if isinstance(entries, list) else ():
                value = (
                    entry.get("estimated_time_to_regain_access") if isinstance(entry, dict) else 0
                )
                if isinstance(value, int | float) and value > 0:
                    minutes = max(minutes or 0, value)
    if minutes:
        return float(minutes) * 60
    return http.retry_after(response)


def is_gone(response: httpx.Response) -> bool:
    """The node does not exist (deleted, or never was)."""
    error = error_detail(http.json_or_empty(response))
    return response.status_code == 404 or (
        error.get("code") == 100 and error.get("error_subcode") == GONE_SUBCODE
    )


def graph_error(response: httpx.Response, *, platform: str, creates: bool) -> ChannelError:
    """The error a failed Graph API answer stands for."""
    error = error_detail(http.json_or_empty(response))
    code = error.get("code")
    subcode = error.get("error_subcode")
    said = str(error.get("error_user_msg") or error.get("message") or response.reason_phrase)
    names = {"platform": platform, "detail": said}
    if code in TOKEN_CODES or (response.status_code == 401 and not code):
        return TokenExpired(
            _("%(platform)s no longer accepts Warta's access token (%(detail)s).") % names,
            advice=_("Reconnect the account in Channel accounts with a new access token."),
        )
    if code == 9 and subcode == PUBLISH_LIMIT_SUBCODE:
        return Transient(
            _("%(platform)s's limit of posts per 24 hours for this account is used up.") % names,
            advice=_("Warta tries again later; nothing was published."),
            retry_after=regain_after(response) or 3600.0,
        )
    if subcode == SPAM_SUBCODE:
        return Permanent(
            _("%(platform)s restricted this action on the account (%(detail)s).") % names,
            advice=_("Check the account in the platform's app, then try again."),
        )
    if code in THROTTLE_CODES or response.status_code == 429:
        return Transient(
            _("%(platform)s asks Warta to slow down (rate limit reached).") % names,
            advice=_("Warta tries again later; nothing was published."),
            retry_after=regain_after(response),
        )
    if subcode in RETRY_SUBCODES:
        return Transient(
            _("%(platform)s could not process the media this time (%(detail)s).") % names
        )
    if code in MEDIA_CODES or (isinstance(subcode, int) and 2207000 <= subcode < 2208000):
        return MediaRejected(
            _("%(platform)s refused a photo or video (%(detail)s).") % names,
            advice=_("Check the media's format, size and length against the platform's limits."),
        )
    if code == 10 or (isinstance(code, int) and 200 <= code <= 299):
        return Permanent(
            _("%(platform)s says the access token lacks a permission (%(detail)s).") % names,
            advice=_("Reconnect the account and grant every permission Warta asks for."),
        )
    if code == 368:
        return Permanent(
            _("%(platform)s blocked this action as against its policies (%(detail)s).") % names,
            advice=_("Check the account's notifications on the platform."),
        )
    if response.status_code >= 500 or code in (1, 2) or error.get("is_transient"):
        message = _("%(platform)s had a temporary problem (%(detail)s).") % names
        if creates and response.status_code >= 500:
            return Ambiguous(
                message,
                advice=_("Warta checks whether the post was made before sending it again."),
            )
        return Transient(message, retry_after=http.retry_after(response))
    return Permanent(
        _("%(platform)s refused the request (%(detail)s).") % names,
        advice=_("Check the post and the account settings, then try again."),
    )


class GraphPlatform(Platform):
    """Common ground of the Graph API connectors: one request helper and the connection
    test. The access token travels in an ``Authorization: Bearer`` header (as in Meta's Graph
    API examples for the WhatsApp Cloud API and the Resumable Upload API) rather than the
    ``access_token`` query parameter, so request logs never carry it."""

    node_fields: str = "id,name"

    @property
    def token(self) -> str:
        return self.account.credentials.get("access_token", "")

    @property
    def node(self) -> str:
        return self.account.external_id

    def _root(self, *, video: bool = False) -> str:
        base = self.account.base_url.rstrip("/")
        if not base:
            base = GRAPH_VIDEO_URL if video else GRAPH_URL
        return f"{base}/{GRAPH_VERSION}"

    def _call(
        self,
        method: str,
        path: str,
        *,
        creates: bool = False,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        video: bool = False,
        allow_gone: bool = False,
    ) -> dict | None:
        """One Graph request; the JSON answer, or ``None`` for a missing node when
        ``allow_gone``. Failures raise the matching ``ChannelError``."""
        if not self.token:
            raise TokenExpired(
                self._say(_("%(platform)s has no access token for this account.")),
                advice=_("Reconnect the account in Channel accounts with a new access token."),
            )
        if path.startswith("http"):
            url = strip_token(path)
        else:
            url = f"{self._root(video=video)}/{path.lstrip('/')}"
        headers = {"Authorization": f"Bearer {self.token}"}
        with http.client("", timeout=self.timeout, headers=headers) as session:
            response = http.send(
                session,
                method,
                url,
                platform=self.name,
                creates=creates,
                params=params,
                data=data,
                files=files,
            )
        if response.is_success:
            return http.json_or_empty(response)
        if allow_gone and is_gone(response):
            return None
        raise graph_error(response, platform=self.name, creates=creates)

    def _pages(self, path: str, params: dict[str, Any], *, limit: int = 5):
        """The items of a paged edge, newest first, at most ``limit`` pages."""
        url: str | None = path
        query: dict[str, Any] | None = params
        for _page in range(limit):
            if not url:
                return
            body = self._call("GET", url, params=query) or {}
            yield from body.get("data") or []
            url = (body.get("paging") or {}).get("next")
            query = None  # the next URL carries its own query

    def test_connection(self) -> ConnectionInfo:
        body = self._call("GET", self.node, params={"fields": self.node_fields}) or {}
        name = str(body.get("username") or body.get("name") or self.node)
        return ConnectionInfo(name=name, expires_at=self._token_expiry())

    def _token_expiry(self) -> dt.datetime | None:
        """When the token stops working, from ``debug_token``; ``None`` when it never
        expires or Meta does not say."""
        try:
            body = self._call("GET", "debug_token", params={"input_token": self.token}) or {}
        except TokenExpired:
            raise
        except ChannelError:
            return None
        expires = (body.get("data") or {}).get("expires_at") or 0
        if not isinstance(expires, int) or expires <= 0:
            return None
        return dt.datetime.fromtimestamp(expires, tz=dt.UTC)


def strip_token(url: str) -> str:
    """A paging URL without the ``access_token`` Graph puts in it (the header carries it)."""
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "access_token"
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_time(value: str) -> dt.datetime | None:
    """A Graph timestamp (``2026-11-29T10:15:00+0000``)."""
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return None

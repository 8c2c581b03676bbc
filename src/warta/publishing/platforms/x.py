"""X (formerly Twitter): posts through the X API v2 with an OAuth 2.0 user-context token.

What Warta does here, and the documentation each step follows:

- Create a post: ``POST /2/tweets`` with ``text`` and ``media.media_ids``
  (https://docs.x.com/x-api/posts/create-or-edit-post,
  https://docs.x.com/x-api/posts/manage-tweets/quickstart).
- Photos: the one-shot upload ``POST /2/media/upload`` (multipart ``media`` and
  ``media_category=tweet_image``; https://docs.x.com/x-api/media/upload-media), then the alt text
  with ``POST /2/media/metadata`` (``{"id", "metadata": {"alt_text": {"text"}}}``;
  https://docs.x.com/x-api/media/create-media-metadata).
- Video: the chunked upload — ``POST /2/media/upload/initialize`` (JSON ``media_type``,
  ``total_bytes``, ``media_category=tweet_video``), ``POST /2/media/upload/{id}/append``
  (multipart ``media`` and ``segment_index``), ``POST /2/media/upload/{id}/finalize``, then
  ``GET /2/media/upload?command=STATUS&media_id=…`` while ``processing_info`` says so
  (https://docs.x.com/x-api/media/initialize-media-upload,
  https://docs.x.com/x-api/media/media-upload-append,
  https://docs.x.com/x-api/media/finalize-media-upload,
  https://docs.x.com/x-api/media/get-media-upload-status,
  https://docs.x.com/x-api/media/quickstart/media-upload-chunked).
- Limits: up to 4 photos, or 1 video (https://docs.x.com/x-api/media/quickstart/best-practices);
  image 5 MB, video 512 MB (https://docs.x.com/x-api/media/introduction); 280 weighted characters
  (https://docs.x.com/fundamentals/counting-characters).
- Edit: the same ``POST /2/tweets`` with ``edit_options.previous_post_id``; X allows edits
  only within 30 minutes of posting, up to 5 times, and every edit gets a new post id
  (https://docs.x.com/x-api/fundamentals/edit-posts). Later corrections raise ``NotSupported``.
- Withdraw: ``DELETE /2/tweets/{id}``.
- Find: ``GET /2/users/{id}/tweets`` with ``start_time`` (returns post text with links replaced
  by t.co links and ``&``, ``<``, ``>`` escaped; https://docs.x.com/x-api/posts/user-posts-timeline-by-user-id).
- Connection test: ``GET /2/users/me``.
- Errors: HTTP status codes (https://docs.x.com/x-api/fundamentals/response-codes-and-errors);
  429 carries ``x-rate-limit-reset``, the epoch second the window resets
  (https://docs.x.com/fundamentals/rate-limits).
- Tokens: OAuth 2.0 Authorization Code with PKCE; an access token lives two hours, a refresh
  token is issued with the ``offline.access`` scope
  (https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code).
- Renewal: ``POST https://api.x.com/2/oauth2/token`` as ``application/x-www-form-urlencoded``
  with ``grant_type=refresh_token`` and ``refresh_token``; a public client adds ``client_id``, a
  confidential client authenticates with HTTP Basic ``client_id:client_secret`` instead
  (https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token, steps 3 and 5).
  The answer carries a new ``access_token``, ``expires_in`` and a new ``refresh_token``; the one
  sent is spent. Warta renews before the first request when the stored
  ``access_token_expires_at`` has passed, or once after a 401
  (https://docs.x.com/x-api/fundamentals/response-codes-and-errors), and keeps the new pair with
  ``save_credentials`` before using it. A refused renewal raises ``TokenExpired``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
import unicodedata
from collections.abc import Iterator
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.platforms import http, oauth
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    ConnectionInfo,
    CredentialField,
    MediaFile,
    MediaRejected,
    NotSupported,
    Permanent,
    Platform,
    Post,
    Remote,
    TokenExpired,
    Transient,
)

API_ROOT = "https://api.x.com"
WEB_ROOT = "https://x.com"
TOKEN_URL = "https://api.x.com/2/oauth2/token"
TOKEN_LIFETIME = 7200.0  # seconds, when X's answer does not say

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23  # every link is wrapped in a t.co link of this length
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_VIDEO_BYTES = 512 * 1024 * 1024
MAX_VIDEO_SECONDS = 140  # tweet_video; longer videos need amplify_video (paid/partner use)
MAX_ALT_TEXT = 1000
EDIT_WINDOW = dt.timedelta(minutes=30)
DEFAULT_CHUNK = 4 * 1024 * 1024  # APPEND segments; the index runs 0…999
FIND_PAGES = 5

# twitter-text v3 configuration: code points in these ranges weigh 1, all others 2.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# A link as twitter-text finds it, simplified: with a scheme, with "www.", or a bare domain
# under a common top-level domain (enough for Indonesian government and news links).
_URL = re.compile(
    r"(?:https?://[^\s]+|www\.[^\s]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|id|gov|edu|info|io|co|me|ly|news)\b(?:/[^\s]*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\"»”’"


def _strip_link(match: str) -> str:
    return match.rstrip(_TRAILING)


def _is_emoji_base(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2300 <= cp <= 0x23FF
        or 0x1F1E6 <= cp <= 0x1F1FF
    )


def _is_emoji_tail(cp: int) -> bool:
    """Code points that extend an emoji without counting: variation selector 16, skin tones,
    keycap, tags."""
    return cp == 0xFE0F or 0x1F3FB <= cp <= 0x1F3FF or cp == 0x20E3 or 0xE0020 <= cp <= 0xE007F


def _weighted(text: str) -> int:
    """The weight of ``text`` with no links in it: emoji sequences 2, light ranges 1, others 2."""
    total = 0
    points = [ord(c) for c in text]
    i, n = 0, len(points)
    while i < n:
        cp = points[i]
        # keycap sequences (digit/#/* + FE0F + 20E3) and text characters turned emoji by FE0F
        starts_emoji = _is_emoji_base(cp) or (
            i + 1 < n and points[i + 1] in (0xFE0F, 0x20E3) and cp < 0x2000
        )
        if starts_emoji:
            regional = 0x1F1E6 <= cp <= 0x1F1FF
            i += 1
            if regional and i < n and 0x1F1E6 <= points[i] <= 0x1F1FF:
                i += 1  # a flag is a pair of regional indicators
            while i < n:
                if _is_emoji_tail(points[i]):
                    i += 1
                elif points[i] == 0x200D and i + 1 < n:
                    i += 2  # zero-width joiner and the emoji it joins
                else:
                    break
            total += 2
            continue
        total += 1 if any(lo <= cp <= hi for lo, hi in _LIGHT_RANGES) else 2
        i += 1
    return total


def weighted_length(text: str) -> int:
    """The length X counts for ``text``: NFC-normalised, links 23, emoji and CJK 2."""
    text = unicodedata.normalize("NFC", text)
    total, last = 0, 0
    for match in _URL.finditer(text):
        link = _strip_link(match.group(0))
        total += _weighted(text[last : match.start()]) + URL_WEIGHT
        last = match.start() + len(link)
    return total + _weighted(text[last:])


def _fingerprint(text: str) -> str:
    """Text as comparable across what Warta sent and what X returns: entities unescaped, links
    (rewritten to t.co, media links appended) dropped, white space collapsed."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    text = _URL.sub(" ", text)
    return " ".join(text.split())


class X(Platform):
    code = "x"
    name = "X"
    caption_limit = MAX_WEIGHTED_LENGTH
    max_photos = 4
    takes_video = True
    can_update = True  # within X's 30-minute edit window only
    can_withdraw = True
    can_find = True
    url_hosts = ("x.com", "twitter.com", "www.x.com", "www.twitter.com")
    credential_fields = (
        CredentialField(
            "access_token",
            gettext_lazy("Access token (OAuth 2.0 user context)"),
            help=gettext_lazy(
                "A user access token with the scopes tweet.read, tweet.write, users.read, "
                "media.write and offline.access. It is valid for two hours; Warta renews it "
                "with the refresh token."
            ),
        ),
        CredentialField(
            "refresh_token",
            gettext_lazy("Refresh token"),
            required=False,
            help=gettext_lazy(
                "Issued with the access token when the scope offline.access is granted. X "
                "replaces it at every renewal; Warta keeps the new one."
            ),
        ),
        CredentialField(
            "client_id",
            gettext_lazy("OAuth 2.0 client ID"),
            secret=False,
            required=False,
            help=gettext_lazy("From the app's Keys and tokens page in the X developer console."),
        ),
        CredentialField(
            "client_secret",
            gettext_lazy("OAuth 2.0 client secret"),
            required=False,
            help=gettext_lazy("Only for a confidential client (a web app); leave empty otherwise."),
        ),
    )
    docs = "https://docs.x.com/x-api/posts/create-or-edit-post"

    def __init__(self, account: AccountConfig, **kwargs: Any) -> None:
        super().__init__(account, **kwargs)
        # The credentials in use: renewal replaces the token pair here and in storage.
        self._credentials = dict(account.credentials)
        self._renewed = False  # at most one renewal per connector object: no loops

    # --- the interface --------------------------------------------------------------------------
    def caption_length(self, text: str) -> int:
        return weighted_length(text)

    def test_connection(self) -> ConnectionInfo:
        with self._client() as api:
            user = self._me(api)
        return ConnectionInfo(
            name="@{}".format(user.get("username", "")),
            expires_at=oauth.stored_expiry(self._credentials),
            detail=_("X user %(name)s (id %(id)s).")
            % {"name": user.get("name", ""), "id": user.get("id", "")},
        )

    def publish(self, post: Post) -> Remote:
        self._check_post(post)
        with self._client() as api:
            media_ids = self._upload_all(api, post)
            body: dict[str, Any] = {"text": post.caption}
            if media_ids:
                body["media"] = {"media_ids": media_ids}
            data = self._call(api, "POST", "/2/tweets", creates=True, json=body).get("data", {})
        return self._remote(data, media_ids=media_ids)

    def update(self, remote: Remote, post: Post) -> Remote:
        published = remote.published_at
        if published is not None and timezone.now() - published > EDIT_WINDOW:
            raise NotSupported(
                _("X allows editing a post only within 30 minutes of posting."),
                advice=_("Correct the post by hand on X, or remove it and publish again."),
            )
        if self.caption_length(post.caption) > self.caption_limit:
            raise Permanent(self._too_long(post.caption))
        body: dict[str, Any] = {
            "text": post.caption,
            "edit_options": {"previous_post_id": remote.external_id},
        }
        media_ids = list(remote.extra.get("media_ids", []))
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        with self._client() as api:
            data = self._call(api, "POST", "/2/tweets", creates=True, json=body).get("data", {})
        return self._remote(data, media_ids=media_ids, previous=remote.external_id)

    def withdraw(self, remote: Remote) -> None:
        with self._client() as api:
            response = self._send(api, "DELETE", f"/2/tweets/{remote.external_id}", creates=False)
            if response.status_code == 404:
                return  # already gone
            self._check(response, creates=False)

    def status(self, remote: Remote) -> Remote | None:
        with self._client() as api:
            response = self._send(
                api,
                "GET",
                f"/2/tweets/{remote.external_id}",
                creates=False,
                params={"tweet.fields": "created_at"},
            )
            if response.status_code == 404:
                return None
            body = self._check(response, creates=False)
        data = body.get("data")
        if not data:
            return None  # X answers 200 with an "errors" list for a deleted post
        return self._remote(data, media_ids=remote.extra.get("media_ids", []))

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        wanted = _fingerprint(post.caption)
        with self._client() as api:
            user_id = self.account.external_id or self._me(api).get("id", "")
            for tweet in self._timeline(api, user_id, since):
                if _fingerprint(tweet.get("text", "")) == wanted:
                    return self._remote(tweet)
        return None

    # --- publishing steps -----------------------------------------------------------------------
    def _check_post(self, post: Post) -> None:
        if self.caption_length(post.caption) > self.caption_limit:
            raise Permanent(self._too_long(post.caption), advice=_("Shorten the text for X."))
        if post.photos and post.video:
            raise MediaRejected(
                _("X takes up to 4 photos or one video in a post, not both."),
                advice=_("Choose either the photos or the video for X."),
            )
        if len(post.photos) > self.max_photos:
            raise MediaRejected(
                _("X takes at most %(count)d photos in a post; this one has %(given)d.")
                % {"count": self.max_photos, "given": len(post.photos)},
                advice=_("Choose at most 4 photos for X."),
            )
        for photo in post.photos:
            if photo.size > MAX_IMAGE_BYTES:
                raise MediaRejected(
                    _("The photo %(name)s is larger than the 5 MB X accepts.")
                    % {"name": photo.name},
                    advice=_("Use a smaller rendition of the photo."),
                )
        video = post.video
        if video is not None:
            if video.size > MAX_VIDEO_BYTES:
                raise MediaRejected(
                    _("The video is larger than the 512 MB X accepts."),
                    advice=_("Use a shorter or smaller video."),
                )
            if video.duration is not None and video.duration > MAX_VIDEO_SECONDS:
                raise MediaRejected(
                    _("The video is longer than the 140 seconds X accepts in a post."),
                    advice=_("Use a shorter video."),
                )

    def _too_long(self, caption: str) -> str:
        return _("The text is %(length)d characters as X counts them; X allows %(limit)d.") % {
            "length": self.caption_length(caption),
            "limit": self.caption_limit,
        }

    def _upload_all(self, api: httpx.Client, post: Post) -> list[str]:
        ids = [self._upload_photo(api, photo) for photo in post.photos]
        if post.video is not None:
            ids.append(self._upload_video(api, post.video))
        return ids

    def _upload_photo(self, api: httpx.Client, photo: MediaFile) -> str:
        with photo.open() as stream:
            content = stream.read()
        # A lost answer leaves at most an unused media id behind (it expires): safe to resend.
        body = self._call(
            api,
            "POST",
            "/2/media/upload",
            creates=False,
            media=True,
            data={"media_category": "tweet_image", "media_type": photo.content_type},
            files={"media": (photo.name, content, photo.content_type)},
        )
        media_id = str(body.get("data", {}).get("id", ""))
        if photo.alt_text:
            self._call(
                api,
                "POST",
                "/2/media/metadata",
                creates=False,
                json={"id": media_id, "metadata": {"alt_text": {"text": photo.alt_text[:1000]}}},
            )
        self.progress()
        return media_id

    def _upload_video(self, api: httpx.Client, video: MediaFile) -> str:
        init = self._call(
            api,
            "POST",
            "/2/media/upload/initialize",
            creates=False,
            media=True,
            json={
                "media_type": video.content_type,
                "total_bytes": video.size,
                "media_category": "tweet_video",
            },
        )
        media_id = str(init.get("data", {}).get("id", ""))
        chunk = max(1, int(self.account.options.get("chunk_size", DEFAULT_CHUNK)))
        with video.open() as stream:
            index = 0
            while piece := stream.read(chunk):
                self._call(
                    api,
                    "POST",
                    f"/2/media/upload/{media_id}/append",
                    creates=False,
                    media=True,
                    data={"segment_index": str(index)},
                    files={"media": ("chunk", piece, "application/octet-stream")},
                )
                index += 1
                self.progress()
        final = self._call(
            api, "POST", f"/2/media/upload/{media_id}/finalize", creates=False, media=True
        )
        self._wait_for_processing(api, media_id, final.get("data", {}).get("processing_info"))
        return media_id

    def _wait_for_processing(self, api: httpx.Client, media_id: str, info: dict | None) -> None:
        interval = float(self.account.options.get("poll_interval", "5"))
        polls = int(self.account.options.get("max_polls", "60"))
        for _attempt in range(polls):
            state = (info or {}).get("state", "succeeded")
            if state == "succeeded":
                return
            if state == "failed":
                error = (info or {}).get("error", {})
                raise MediaRejected(
                    _("X could not process the video: %(reason)s")
                    % {"reason": error.get("message") or error.get("name") or state},
                    advice=_("Check the video format (MP4, H.264, AAC) and length."),
                )
            wait = info.get("check_after_secs", interval) if info else interval
            time.sleep(min(float(wait), interval))
            self.progress()
            body = self._call(
                api,
                "GET",
                "/2/media/upload",
                creates=False,
                params={"command": "STATUS", "media_id": media_id},
            )
            info = body.get("data", {}).get("processing_info")
        raise Transient(
            _("X is still processing the video."),
            advice=_("Warta tries again later."),
        )

    # --- reading --------------------------------------------------------------------------------
    def _me(self, api: httpx.Client) -> dict:
        body = self._call(
            api, "GET", "/2/users/me", creates=False, params={"user.fields": "username,name"}
        )
        return body.get("data", {})

    def _timeline(self, api: httpx.Client, user_id: str, since: dt.datetime) -> Iterator[dict]:
        start = since.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        params: dict[str, Any] = {
            "start_time": start,
            "max_results": 100,
            "tweet.fields": "created_at,text",
            "exclude": "retweets,replies",
        }
        for _page in range(FIND_PAGES):
            body = self._call(
                api, "GET", f"/2/users/{user_id}/tweets", creates=False, params=params
            )
            yield from body.get("data", []) or []
            token = body.get("meta", {}).get("next_token")
            if not token:
                return
            params["pagination_token"] = token

    def _remote(self, data: dict, *, media_ids=(), previous: str = "") -> Remote:
        post_id = str(data.get("id", ""))
        handle = self.account.handle.lstrip("@")
        url = (
            f"{WEB_ROOT}/{handle}/status/{post_id}" if handle else f"{WEB_ROOT}/i/status/{post_id}"
        )
        created = data.get("created_at")
        published = (
            dt.datetime.fromisoformat(created.replace("Z", "+00:00")) if created else timezone.now()
        )
        extra: dict[str, Any] = {"media_ids": list(media_ids)}
        if previous:
            extra["previous_id"] = previous
        return Remote(external_id=post_id, url=url, published_at=published, extra=extra)

    # --- HTTP -----------------------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        if self._can_renew() and (
            not self._credentials.get("access_token") or oauth.token_expired(self._credentials)
        ):
            self._renew()
        token = self._credentials.get("access_token", "")
        if not token:
            raise TokenExpired(
                _("The X account has no access token."),
                advice=_("Reconnect the account in Channel accounts."),
            )
        return http.client(
            self.account.base_url or API_ROOT,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {token}"},
        )

    def _call(
        self,
        api: httpx.Client,
        method: str,
        url: str,
        *,
        creates: bool,
        media: bool = False,
        **kwargs: Any,
    ) -> dict:
        response = self._send(api, method, url, creates=creates, **kwargs)
        return self._check(response, creates=creates, media=media)

    def _send(
        self, api: httpx.Client, method: str, url: str, *, creates: bool, **kwargs: Any
    ) -> httpx.Response:
        """Send one request; on a 401 renew the access token once and send it again (X did
        not act on a request it refused as unauthorised, so sending it again is safe)."""
        response = http.send(api, method, url, platform=self.name, creates=creates, **kwargs)
        if response.status_code == 401 and self._can_renew():
            api.headers["Authorization"] = f"Bearer {self._renew()}"
            response = http.send(api, method, url, platform=self.name, creates=creates, **kwargs)
        return response

    # --- token renewal --------------------------------------------------------------------------
    def _can_renew(self) -> bool:
        credentials = self._credentials
        return (
            not self._renewed
            and bool(credentials.get("refresh_token"))
            and bool(credentials.get("client_id"))
        )

    def _renew(self) -> str:
        """Exchange the refresh token for a new pair, keep it (``save_credentials``) and return
        the new access token. The refresh token sent is spent even when the answer is lost."""
        self._renewed = True
        credentials = self._credentials
        data = {"grant_type": "refresh_token", "refresh_token": credentials["refresh_token"]}
        extra: dict[str, Any] = {}
        if credentials.get("client_secret"):
            extra["auth"] = httpx.BasicAuth(credentials["client_id"], credentials["client_secret"])
        else:
            data["client_id"] = credentials["client_id"]
        url = self.account.options.get("token_url") or TOKEN_URL
        with http.client("", timeout=self.timeout) as token_api:
            response = http.send(
                token_api, "POST", url, platform=self.name, creates=False, data=data, **extra
            )
        body = http.json_or_empty(response)
        token = str(body.get("access_token") or "")
        if response.status_code != 200 or not token:
            raise self._renewal_error(response, body)
        return oauth.keep_renewed(
            credentials, body, default_lifetime=TOKEN_LIFETIME, save=self.save_credentials
        )

    def _renewal_error(self, response: httpx.Response, body: dict) -> Exception:
        status = response.status_code
        if status == 429 or status >= 500:
            return Transient(
                _("X could not renew the access token right now (HTTP %(status)d).")
                % {"status": status},
                advice=_("Warta tries again later."),
                retry_after=_reset_after(response),
            )
        error = str(body.get("error") or "")
        if error in ("invalid_client", "unauthorized_client"):
            return TokenExpired(
                _("X does not accept the account's OAuth client (%(error)s).") % {"error": error},
                advice=_(
                    "Check the client ID and client secret, then reconnect the account in "
                    "Channel accounts."
                ),
            )
        return TokenExpired(
            _("X refused to renew the access token: %(detail)s")
            % {"detail": body.get("error_description") or error or status},
            advice=_(
                "The refresh token was used up or revoked. Reconnect the account in Channel "
                "accounts."
            ),
        )

    def _check(self, response: httpx.Response, *, creates: bool, media: bool = False) -> dict:
        """The body of a successful answer; otherwise the error that says what happened."""
        body = http.json_or_empty(response)
        status = response.status_code
        if status < 400:
            return body
        detail = _detail(body) or response.reason_phrase
        if status == 401:
            raise TokenExpired(
                _("X no longer accepts the account's access token."),
                advice=_("Reconnect the account in Channel accounts."),
            )
        if status == 429:
            raise Transient(
                _("X is limiting how often Warta may post or upload right now."),
                advice=_("Warta tries again when X allows it."),
                retry_after=_reset_after(response),
            )
        if status >= 500:
            message = _("X had a server error (%(status)d).") % {"status": status}
            if creates:
                raise Ambiguous(
                    message,
                    advice=_("Warta checks whether the post was made before sending it again."),
                )
            raise Transient(message, retry_after=http.retry_after(response))
        if media and status in (400, 413, 415):
            raise MediaRejected(
                _("X refused the media: %(detail)s") % {"detail": detail},
                advice=_("Check the file's format and size against X's limits."),
            )
        if status == 403:
            raise Permanent(
                _("X did not allow this: %(detail)s") % {"detail": detail},
                advice=_("Check the account's access level and the text of the post."),
            )
        raise Permanent(_("X refused the request: %(detail)s") % {"detail": detail})


def _detail(body: dict) -> str:
    """X's own words for an error: problem details (``detail``/``title``) or ``errors[]``."""
    if body.get("detail") or body.get("title"):
        return str(body.get("detail") or body.get("title"))
    errors = body.get("errors") or []
    if errors and isinstance(errors[0], dict):
        first = errors[0]
        return str(first.get("detail") or first.get("message") or first.get("title") or "")
    return ""


def _reset_after(response: httpx.Response) -> float | None:
    """Seconds until ``x-rate-limit-reset`` (epoch seconds), else a ``Retry-After``."""
    value = response.headers.get("x-rate-limit-reset", "").strip()
    if value.isdigit():
        return max(0.0, float(value) - time.time())
    return http.retry_after(response)

"""TikTok: direct posts through the Content Posting API with a user access token.

What Warta does here, and the documentation each step follows:

- Creator info first, as TikTok requires: ``POST /v2/post/publish/creator_info/query/`` gives
  the privacy levels the account may use, whether comments/duets/stitches are off, and the
  longest video it may post
  (https://developers.tiktok.com/doc/content-posting-api-reference-query-creator-info).
- Video: ``POST /v2/post/publish/video/init/`` with ``post_info`` (``title`` = the caption, at
  most 2200 UTF-16 units, ``privacy_level``, ``disable_*``) and ``source_info``
  (``FILE_UPLOAD`` with ``video_size``/``chunk_size``/``total_chunk_count``, or
  ``PULL_FROM_URL`` with ``video_url``), then the file sent with ``PUT`` to ``upload_url`` in
  ``Content-Range`` chunks: 5–64 MB each, the last up to 128 MB, a file under 5 MB whole, at
  most 1000 chunks, in order
  (https://developers.tiktok.com/doc/content-posting-api-reference-direct-post,
  https://developers.tiktok.com/doc/content-posting-api-media-transfer-guide).
- Photos: ``POST /v2/post/publish/content/init/`` with ``media_type=PHOTO``,
  ``post_mode=DIRECT_POST`` and ``PULL_FROM_URL`` (up to 35 public image URLs from a domain
  verified for the app; title at most 90 and description at most 4000 UTF-16 units)
  (https://developers.tiktok.com/doc/content-posting-api-reference-photo-post).
- Outcome: ``POST /v2/post/publish/status/fetch/`` until ``PUBLISH_COMPLETE`` or ``FAILED``
  (``fail_reason``); a public post gets its id (``publicaly_available_post_id``) only after
  moderation (https://developers.tiktok.com/doc/content-posting-api-reference-get-video-status).
- Unaudited API clients may post only with ``SELF_ONLY`` (private) visibility
  (https://developers.tiktok.com/doc/content-posting-api-get-started): the account option
  ``privacy_level`` defaults to it.
- Find: ``POST /v2/video/list/`` (scope ``video.list``) lists the account's *public* videos,
  newest first (https://developers.tiktok.com/doc/tiktok-api-v2-video-list); private posts and
  photo posts cannot be looked for, so ``find`` raises ``CannotCheck`` for them.
- Connection test: ``GET /v2/user/info/`` (https://developers.tiktok.com/doc/tiktok-api-v2-get-user-info).
- Errors: every answer has ``{"error": {"code", "message", "log_id"}}``; ``code`` is ``ok`` on
  success (https://developers.tiktok.com/doc/tiktok-api-v2-error-handling).
- Editing or deleting a post is not in the API: ``update`` and ``withdraw`` are not supported.
- Tokens: the access token lives 24 hours and the refresh token 365 days by
  https://developers.tiktok.com/doc/oauth-user-access-token-management (the newer pages say 2
  hours and 180 days); Warta goes by the ``expires_in`` TikTok returns, never by a fixed figure.
- Renewal: ``POST https://open.tiktokapis.com/v2/oauth/token/`` as
  ``application/x-www-form-urlencoded`` with ``client_key``, ``client_secret``,
  ``grant_type=refresh_token`` and ``refresh_token``; the answer has ``access_token``,
  ``expires_in``, ``refresh_token`` and ``refresh_expires_in``. Refresh tokens rotate: the one
  sent stops working once a new one is issued
  (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token). Errors come as
  ``{"error", "error_description", "log_id"}``; ``invalid_grant`` means the refresh token is
  invalid, expired or revoked (https://developers.tiktok.com/doc/oauth-error-handling). An API
  call refused with ``access_token_invalid`` (HTTP 401) is renewed once and sent again; so is
  the first call when the stored ``access_token_expires_at`` has passed. The new pair is kept
  with ``save_credentials`` before it is used; a refused renewal raises ``TokenExpired``.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from typing import Any

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.platforms import http, oauth
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    CannotCheck,
    ConnectionInfo,
    CredentialField,
    MediaFile,
    MediaRejected,
    Permanent,
    Platform,
    Post,
    Remote,
    TokenExpired,
    Transient,
)

API_ROOT = "https://open.tiktokapis.com"
WEB_ROOT = "https://www.tiktok.com"
TOKEN_URL = "https://open.tiktokapis.com/v2/oauth/token/"
TOKEN_LIFETIME = 86400.0  # seconds, when TikTok's answer does not say

MB = 1024 * 1024
MIN_CHUNK = 5 * MB
MAX_CHUNK = 64 * MB
MAX_CHUNKS = 1000
DEFAULT_CHUNK = 10 * MB
VIDEO_TITLE_LIMIT = 2200
PHOTO_TITLE_LIMIT = 90
PHOTO_DESCRIPTION_LIMIT = 4000
PRIVACY_LEVELS = ("PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY")
FIND_PAGES = 10

# fail_reason / error codes that mean the media itself was refused
_MEDIA_REASONS = {
    "file_format_check_failed",
    "duration_check_failed",
    "frame_rate_check_failed",
    "picture_size_check_failed",
}
# daily caps: nothing was posted, and the same post can go once the cap resets
_CAP_CODES = {
    "spam_risk_too_many_posts",
    "spam_risk_too_many_pending_share",
    "reached_active_user_cap",
}
CAP_RETRY_AFTER = 6 * 3600.0


def utf16_length(text: str) -> int:
    """TikTok counts titles in UTF-16 code units ("UTF-16 runes")."""
    return len(text.encode("utf-16-le")) // 2


def _cut_utf16(text: str, limit: int) -> str:
    while utf16_length(text) > limit:
        text = text[:-1]
    return text


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def chunk_plan(size: int, wanted: int = DEFAULT_CHUNK) -> tuple[int, int]:
    """``(chunk_size, total_chunk_count)`` by the media transfer guide's rules: a file under
    5 MB goes whole; otherwise chunks of 5–64 MB, ``count = size // chunk`` and the last chunk
    takes the trailing bytes; never more than 1000 chunks."""
    if size < MIN_CHUNK:
        return size, 1
    chunk = min(max(wanted, MIN_CHUNK), MAX_CHUNK)
    if size // chunk > MAX_CHUNKS:
        chunk = min(-(-size // MAX_CHUNKS), MAX_CHUNK)
    if size <= chunk:
        return size, 1
    return chunk, size // chunk


class TikTok(Platform):
    code = "tiktok"
    name = "TikTok"
    caption_limit = VIDEO_TITLE_LIMIT
    title_limit = PHOTO_TITLE_LIMIT
    max_photos = 35
    takes_video = True
    can_update = False
    can_withdraw = False
    can_find = True  # public videos only
    needs_public_media = True  # photos are pulled by TikTok from their public URLs
    url_hosts = ("www.tiktok.com", "tiktok.com", "vm.tiktok.com")
    credential_fields = (
        CredentialField(
            "access_token",
            gettext_lazy("User access token"),
            help=gettext_lazy(
                "A token of the TikTok account with the scopes user.info.basic, video.publish "
                "and video.list. It is valid for 24 hours; Warta renews it with the refresh "
                "token."
            ),
        ),
        CredentialField(
            "refresh_token",
            gettext_lazy("Refresh token"),
            required=False,
            help=gettext_lazy(
                "Issued with the access token. TikTok replaces it at every renewal; Warta keeps "
                "the new one."
            ),
        ),
        CredentialField(
            "client_key",
            gettext_lazy("Client key"),
            secret=False,
            required=False,
            help=gettext_lazy("From the app's page in the TikTok developer portal."),
        ),
        CredentialField(
            "client_secret",
            gettext_lazy("Client secret"),
            required=False,
            help=gettext_lazy("From the app's page in the TikTok developer portal."),
        ),
    )
    docs = "https://developers.tiktok.com/doc/content-posting-api-reference-direct-post"

    def __init__(self, account: AccountConfig, **kwargs: Any) -> None:
        super().__init__(account, **kwargs)
        # The credentials in use: renewal replaces the token pair here and in storage.
        self._credentials = dict(account.credentials)
        self._renewed = False  # at most one renewal per connector object: no loops

    def caption_length(self, text: str) -> int:
        return utf16_length(text)

    # --- the interface --------------------------------------------------------------------------
    def test_connection(self) -> ConnectionInfo:
        with self._client() as api:
            body = self._call(
                api,
                "GET",
                "/v2/user/info/",
                creates=False,
                params={"fields": "open_id,union_id,avatar_url,display_name"},
            )
            creator = self._creator(api)
        user = body.get("data", {}).get("user", {})
        return ConnectionInfo(
            name=user.get("display_name") or creator.get("creator_nickname", ""),
            expires_at=oauth.stored_expiry(self._credentials),
            detail=_("TikTok account @%(user)s; allowed visibility: %(options)s.")
            % {
                "user": creator.get("creator_username", ""),
                "options": ", ".join(creator.get("privacy_level_options", [])),
            },
        )

    def publish(self, post: Post) -> Remote:
        if post.video is None and not post.photos:
            raise Permanent(
                _("TikTok posts need a video or photos."),
                advice=_("Add a video or photos, or leave TikTok out of this item."),
            )
        if self.caption_length(post.caption) > self.caption_limit:
            raise Permanent(
                _("The text is %(length)d characters; TikTok allows %(limit)d.")
                % {"length": self.caption_length(post.caption), "limit": self.caption_limit},
                advice=_("Shorten the text for TikTok."),
            )
        with self._client() as api:
            creator = self._creator(api)
            post_info = self._post_info(creator)
            if post.video is not None:
                self._check_video(post.video, creator)
                publish_id = self._send_video(api, post, post_info)
            else:
                publish_id = self._send_photos(api, post, post_info)
            # From here on TikTok has the post: a lost answer is never a reason to resend.
            return self._wait(api, publish_id)

    def status(self, remote: Remote) -> Remote | None:
        publish_id = remote.extra.get("publish_id", "")
        if not publish_id:
            raise CannotCheck(self._say(_("%(platform)s cannot tell Warta whether a post exists.")))
        with self._client() as api:
            data = self._fetch_status(api, publish_id)
        return self._outcome(publish_id, data) or remote

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        if self._privacy() != "PUBLIC_TO_EVERYONE" or (post.photos and post.video is None):
            raise CannotCheck(
                _("TikTok lists only public videos, so Warta cannot look for this post."),
                advice=_("Check the account's posts in the TikTok app and record what you find."),
            )
        wanted = _normal(post.caption)
        since_ts = since.timestamp()
        body: dict[str, Any] = {"max_count": 20}
        with self._client() as api:
            for _page in range(FIND_PAGES):
                data = self._call(
                    api,
                    "POST",
                    "/v2/video/list/",
                    creates=False,
                    params={"fields": "id,create_time,title,video_description,share_url"},
                    json=body,
                    lookup=True,
                ).get("data", {})
                videos = data.get("videos") or []
                for video in videos:
                    if video.get("create_time", 0) < since_ts:
                        return None  # newest first: the rest is older
                    texts = (video.get("title", ""), video.get("video_description", ""))
                    if wanted in {_normal(t) for t in texts}:
                        return self._video_remote(video)
                if not data.get("has_more") or not videos:
                    return None
                body["cursor"] = data.get("cursor")
        return None

    # --- publishing steps -----------------------------------------------------------------------
    def _privacy(self) -> str:
        return self.account.options.get("privacy_level", "SELF_ONLY") or "SELF_ONLY"

    def _flag(self, name: str) -> bool:
        return self.account.options.get(name, "").lower() in ("1", "true", "yes", "on")

    def _creator(self, api: httpx.Client) -> dict:
        return self._call(
            api, "POST", "/v2/post/publish/creator_info/query/", creates=False, json={}
        ).get("data", {})

    def _post_info(self, creator: dict) -> dict:
        privacy = self._privacy()
        options = creator.get("privacy_level_options") or []
        if privacy not in options:
            raise Permanent(
                _(
                    "TikTok does not offer the visibility %(level)s for this account "
                    "(it offers %(options)s)."
                )
                % {"level": privacy, "options": ", ".join(options) or "-"},
                advice=_("Change the TikTok visibility (privacy level) in Channel accounts."),
            )
        # The account's own settings win: what the creator turned off stays off.
        return {
            "privacy_level": privacy,
            "disable_comment": creator.get("comment_disabled", False)
            or self._flag("disable_comment"),
            "disable_duet": creator.get("duet_disabled", False) or self._flag("disable_duet"),
            "disable_stitch": creator.get("stitch_disabled", False) or self._flag("disable_stitch"),
        }

    def _check_video(self, video: MediaFile, creator: dict) -> None:
        longest = creator.get("max_video_post_duration_sec")
        if longest and video.duration is not None and video.duration > longest:
            raise MediaRejected(
                _("The video is %(length)d seconds; this TikTok account may post %(limit)d.")
                % {"length": round(video.duration), "limit": longest},
                advice=_("Use a shorter video for TikTok."),
            )

    def _send_video(self, api: httpx.Client, post: Post, post_info: dict) -> str:
        video = post.video
        assert video is not None
        info = {**post_info, "title": post.caption}
        if self.account.options.get("video_source") == "PULL_FROM_URL":
            if not video.public_url:
                raise Permanent(_("The video has no public address for TikTok to fetch."))
            body = {
                "post_info": info,
                "source_info": {"source": "PULL_FROM_URL", "video_url": video.public_url},
            }
            data = self._call(
                api, "POST", "/v2/post/publish/video/init/", creates=True, json=body
            ).get("data", {})
            return str(data.get("publish_id", ""))
        wanted = int(self.account.options.get("chunk_size", DEFAULT_CHUNK))
        chunk, count = chunk_plan(video.size, wanted)
        body = {
            "post_info": info,
            "source_info": {
                "source": "FILE_UPLOAD",
                "video_size": video.size,
                "chunk_size": chunk,
                "total_chunk_count": count,
            },
        }
        # With FILE_UPLOAD nothing is posted before the file arrives: a lost answer here leaves
        # an upload nobody completes, so sending the init again is safe.
        data = self._call(
            api, "POST", "/v2/post/publish/video/init/", creates=False, json=body
        ).get("data", {})
        self._upload(api, data.get("upload_url", ""), video, chunk, count)
        return str(data.get("publish_id", ""))

    def _upload(
        self, api: httpx.Client, url: str, video: MediaFile, chunk: int, count: int
    ) -> None:
        total = video.size
        with video.open() as stream:
            for index in range(count):
                last = index == count - 1
                first_byte = index * chunk
                length = total - first_byte if last else chunk
                piece = stream.read(length)
                headers = {
                    "Content-Type": video.content_type,
                    "Content-Range": f"bytes {first_byte}-{first_byte + len(piece) - 1}/{total}",
                }
                # The last chunk completes the post: if its answer is lost, it may be made.
                response = http.send(
                    api,
                    "PUT",
                    url,
                    platform=self.name,
                    creates=last,
                    content=piece,
                    headers=headers,
                )
                if response.status_code not in (200, 201, 206):
                    self._check(response, creates=last)
                    raise Transient(
                        _("TikTok did not accept a part of the video (%(status)d).")
                        % {"status": response.status_code}
                    )
                self.progress()

    def _send_photos(self, api: httpx.Client, post: Post, post_info: dict) -> str:
        missing = [photo.name for photo in post.photos if not photo.public_url]
        if missing:
            raise Permanent(
                _("TikTok fetches photos from their public address, and %(names)s has none.")
                % {"names": ", ".join(missing)},
                advice=_("Publish the item on the website first, then send it to TikTok."),
            )
        info = {k: v for k, v in post_info.items() if k not in ("disable_duet", "disable_stitch")}
        info["title"] = _cut_utf16(post.title, PHOTO_TITLE_LIMIT)
        info["description"] = _cut_utf16(post.caption, PHOTO_DESCRIPTION_LIMIT)
        info["auto_add_music"] = self._flag("auto_add_music")
        body = {
            "media_type": "PHOTO",
            "post_mode": "DIRECT_POST",
            "post_info": info,
            "source_info": {
                "source": "PULL_FROM_URL",
                "photo_cover_index": 0,
                "photo_images": [photo.public_url for photo in post.photos],
            },
        }
        data = self._call(
            api, "POST", "/v2/post/publish/content/init/", creates=True, json=body
        ).get("data", {})
        return str(data.get("publish_id", ""))

    def _wait(self, api: httpx.Client, publish_id: str) -> Remote:
        """Poll the outcome, bounded; a post still in progress comes back as ``processing``."""
        interval = float(self.account.options.get("poll_interval", "5"))
        polls = int(self.account.options.get("max_polls", "60"))
        for attempt in range(polls):
            if attempt:
                time.sleep(interval)
            self.progress()
            try:
                data = self._fetch_status(api, publish_id)
            except Transient:
                break  # TikTok has the post; its outcome is read later (``status``)
            remote = self._outcome(publish_id, data)
            if remote is not None:
                return remote
        return Remote(external_id=publish_id, state="processing", extra={"publish_id": publish_id})

    def _fetch_status(self, api: httpx.Client, publish_id: str) -> dict:
        return self._call(
            api,
            "POST",
            "/v2/post/publish/status/fetch/",
            creates=False,
            json={"publish_id": publish_id},
        ).get("data", {})

    def _outcome(self, publish_id: str, data: dict) -> Remote | None:
        """The post when TikTok has finished with it, ``None`` while it is in progress; a
        failure raises what it means."""
        status = data.get("status", "")
        if status == "FAILED":
            raise self._error(data.get("fail_reason", ""), "", creates=False)
        if status not in ("PUBLISH_COMPLETE", "SEND_TO_USER_INBOX"):
            return None
        ids = data.get("publicaly_available_post_id") or []
        extra = {"publish_id": publish_id}
        if not ids:  # private posts never get a public id; public ones after moderation
            return Remote(external_id=publish_id, published_at=timezone.now(), extra=extra)
        post_id = str(ids[0])
        return Remote(
            external_id=post_id,
            url=self._url(post_id),
            published_at=timezone.now(),
            extra=extra,
        )

    def _video_remote(self, video: dict) -> Remote:
        post_id = str(video.get("id", ""))
        created = video.get("create_time")
        return Remote(
            external_id=post_id,
            url=video.get("share_url") or self._url(post_id),
            published_at=dt.datetime.fromtimestamp(created, dt.UTC) if created else None,
        )

    def _url(self, post_id: str) -> str:
        handle = self.account.handle.lstrip("@")
        return f"{WEB_ROOT}/@{handle}/video/{post_id}" if handle else ""

    # --- HTTP -----------------------------------------------------------------------------------
    def _client(self) -> httpx.Client:
        if self._can_renew() and (
            not self._credentials.get("access_token") or oauth.token_expired(self._credentials)
        ):
            self._renew()
        token = self._credentials.get("access_token", "")
        if not token:
            raise TokenExpired(
                _("The TikTok account has no access token."),
                advice=_("Reconnect the account in Channel accounts."),
            )
        return http.client(self.account.base_url or API_ROOT, timeout=self.timeout)

    def _call(
        self,
        api: httpx.Client,
        method: str,
        url: str,
        *,
        creates: bool,
        lookup: bool = False,
        **kwargs: Any,
    ) -> dict:
        response = self._send(api, method, url, creates=creates, **kwargs)
        if lookup and http.json_or_empty(response).get("error", {}).get("code") in (
            "scope_not_authorized",
            "scope_permission_missed",
        ):
            raise CannotCheck(
                _("The TikTok account did not allow Warta to list its videos."),
                advice=_("Reconnect the account and allow the video.list permission."),
            )
        return self._check(response, creates=creates)

    def _send(
        self, api: httpx.Client, method: str, url: str, *, creates: bool, **kwargs: Any
    ) -> httpx.Response:
        """Send one API request with the access token; when TikTok refuses the token
        (``access_token_invalid``) renew it once and send the request again (TikTok did not act
        on a request it refused, so sending it again is safe)."""
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self._credentials.get('access_token', '')}"}
            if method == "POST":
                headers["Content-Type"] = "application/json; charset=UTF-8"
            response = http.send(
                api, method, url, platform=self.name, creates=creates, headers=headers, **kwargs
            )
            if attempt or not (_token_refused(response) and self._can_renew()):
                break
            self._renew()
        return response

    # --- token renewal --------------------------------------------------------------------------
    def _can_renew(self) -> bool:
        credentials = self._credentials
        return not self._renewed and all(
            credentials.get(name) for name in ("refresh_token", "client_key", "client_secret")
        )

    def _renew(self) -> str:
        """Exchange the refresh token for a new pair, keep it (``save_credentials``) and return
        the new access token. The refresh token sent is spent even when the answer is lost."""
        self._renewed = True
        credentials = self._credentials
        url = self.account.options.get("token_url") or TOKEN_URL
        with http.client("", timeout=self.timeout) as token_api:
            response = http.send(
                token_api,
                "POST",
                url,
                platform=self.name,
                creates=False,
                headers={"Cache-Control": "no-cache"},
                data={
                    "client_key": credentials["client_key"],
                    "client_secret": credentials["client_secret"],
                    "grant_type": "refresh_token",
                    "refresh_token": credentials["refresh_token"],
                },
            )
        body = http.json_or_empty(response)
        token = str(body.get("access_token") or "")
        if response.status_code != 200 or not token or body.get("error"):
            raise _renewal_error(response, body)
        return oauth.keep_renewed(
            credentials, body, default_lifetime=TOKEN_LIFETIME, save=self.save_credentials
        )

    def _check(self, response: httpx.Response, *, creates: bool) -> dict:
        """The body of a successful answer; otherwise the error that says what happened."""
        body = http.json_or_empty(response)
        code = str(body.get("error", {}).get("code", ""))
        if response.status_code < 400 and code in ("", "ok"):
            return body
        raise self._error(
            code, body.get("error", {}).get("message", ""), creates=creates, response=response
        )

    def _error(
        self,
        code: str,
        message: str,
        *,
        creates: bool,
        response: httpx.Response | None = None,
    ) -> Exception:
        """One place that says what TikTok's error codes and fail reasons mean."""
        status = response.status_code if response is not None else 0
        words = message or code
        if code in ("access_token_invalid", "auth_removed") or (status == 401 and not code):
            return TokenExpired(
                _("TikTok no longer accepts the account's access token."),
                advice=_("Reconnect the account in Channel accounts."),
            )
        if code in ("scope_not_authorized", "scope_permission_missed"):
            return Permanent(
                _("The TikTok account did not give Warta the permission this needs (%(code)s).")
                % {"code": code},
                advice=_("Reconnect the account and allow every permission Warta asks for."),
            )
        if code == "rate_limit_exceeded" or status == 429:
            wait = http.retry_after(response) if response is not None else None
            return Transient(
                _("TikTok is limiting how often Warta may call it right now."),
                advice=_("Warta tries again in a minute."),
                retry_after=wait if wait is not None else 60.0,
            )
        if code in _CAP_CODES:
            return Transient(
                _("The TikTok account reached its daily posting limit (%(code)s).")
                % {"code": code},
                advice=_("Warta tries again later; nothing was posted."),
                retry_after=CAP_RETRY_AFTER,
            )
        if code in _MEDIA_REASONS:
            return MediaRejected(
                _("TikTok refused the media (%(code)s).") % {"code": code},
                advice=_(
                    "Check the video: MP4/MOV/WebM, 23–60 frames a second, 360–4096 pixels a "
                    "side, and not longer than the account may post."
                ),
            )
        if code in ("video_pull_failed", "photo_pull_failed", "url_ownership_unverified"):
            return Permanent(
                _("TikTok could not fetch the media from its public address (%(code)s).")
                % {"code": code},
                advice=_(
                    "Make sure the website's media address is public and verified for the "
                    "TikTok app."
                ),
            )
        if code == "unaudited_client_can_only_post_to_private_accounts":
            return Permanent(
                _("Warta's TikTok app is not audited yet, so it may only post privately."),
                advice=_(
                    "Set the visibility to SELF_ONLY in Channel accounts, or have the app audited."
                ),
            )
        if code == "privacy_level_option_mismatch":
            return Permanent(
                _("TikTok does not offer the chosen visibility for this account."),
                advice=_("Change the TikTok visibility (privacy level) in Channel accounts."),
            )
        if code.startswith("spam_risk") or code == "publish_cancelled":
            return Permanent(
                _("TikTok refused the post (%(code)s).") % {"code": code},
                advice=_("Check the account in the TikTok app; change the text if it was flagged."),
            )
        if code == "internal" or status >= 500:
            message = _("TikTok had a server error (%(code)s).") % {"code": words or status}
            if creates:
                return Ambiguous(
                    message,
                    advice=_("Warta checks whether the post was made before sending it again."),
                )
            return Transient(message)
        return Permanent(_("TikTok refused the request: %(detail)s") % {"detail": words or status})


def _token_refused(response: httpx.Response) -> bool:
    """Whether TikTok refused the access token itself (expired or revoked)."""
    error = http.json_or_empty(response).get("error")
    code = error.get("code", "") if isinstance(error, dict) else ""
    return code == "access_token_invalid" or (response.status_code == 401 and not code)


def _renewal_error(response: httpx.Response, body: dict) -> Exception:
    """What a refused renewal means: TikTok busy (try later) or the account must reconnect."""
    status = response.status_code
    error = str(body.get("error") or "")
    if status == 429 or status >= 500 or error in ("server_error", "temporarily_unavailable"):
        wait = http.retry_after(response)
        return Transient(
            _("TikTok could not renew the access token right now (%(reason)s).")
            % {"reason": error or status},
            advice=_("Warta tries again later."),
            retry_after=wait if wait is not None else 60.0,
        )
    if error in ("invalid_client", "unauthorized_client"):
        return TokenExpired(
            _("TikTok does not accept the account's app credentials (%(error)s).")
            % {"error": error},
            advice=_(
                "Check the client key and client secret, then reconnect the account in "
                "Channel accounts."
            ),
        )
    return TokenExpired(
        _("TikTok refused to renew the access token: %(detail)s")
        % {"detail": body.get("error_description") or error or status},
        advice=_(
            "The refresh token was used up, has expired or was revoked. Reconnect the account "
            "in Channel accounts."
        ),
    )

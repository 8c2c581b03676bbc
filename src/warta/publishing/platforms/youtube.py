"""YouTube: uploads the item's video to the institution's channel (YouTube Data API v3).

What Warta does here, and the documentation each step follows:

- Upload: ``videos.insert`` with the resumable upload protocol — ``POST
  /upload/youtube/v3/videos?uploadType=resumable&part=snippet,status`` with the video resource
  as JSON and ``X-Upload-Content-Length``/``X-Upload-Content-Type``; the ``Location`` header is
  the session URI; the bytes go in ``PUT`` chunks (each a multiple of 256 KiB except the last)
  with ``Content-Range``; ``308 Resume Incomplete`` and its ``Range`` header say what arrived;
  after a lost connection or a 500/502/503/504 Warta asks with ``Content-Range: bytes */TOTAL``
  and resumes from there; ``201`` carries the new video resource
  (https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol,
  https://developers.google.com/youtube/v3/docs/videos/insert). Files up to 256 GB,
  ``video/*`` or ``application/octet-stream``.
- Metadata (https://developers.google.com/youtube/v3/docs/videos): ``snippet.title`` at most
  100 characters, ``snippet.description`` at most 5000 bytes, neither may hold ``<`` or ``>``;
  ``snippet.tags`` at most 500 characters in all, commas between tags counting and a tag with a
  space counting its (implied) quotation marks; ``status.privacyStatus``;
  ``status.selfDeclaredMadeForKids``. Uploads from unverified API projects created after
  28 July 2020 are locked private until the project passes YouTube's audit (same pages).
- Warta's key (``warta-12-3``) travels as the first tag: tags are not shown to viewers, and
  ``find`` reads them back (``videos.list?part=snippet``).
- Edit: ``videos.update?part=snippet`` replaces the whole snippet, so Warta reads the current one
  first and sends it back whole with title, description, tags and categoryId
  (https://developers.google.com/youtube/v3/docs/videos/update).
- Withdraw: ``videos.delete`` (https://developers.google.com/youtube/v3/docs/videos/delete).
- Status: ``videos.list?id=…&part=snippet,status,processingDetails``
  (https://developers.google.com/youtube/v3/docs/videos/list).
- Find: the channel's uploads playlist (``channels.list?mine=true&part=contentDetails`` →
  ``contentDetails.relatedPlaylists.uploads``, then ``playlistItems.list``), newest first, then
  ``videos.list`` for the tags; ``search.list`` is avoided (its own small quota bucket)
  (https://developers.google.com/youtube/v3/docs/channels/list,
  https://developers.google.com/youtube/v3/docs/playlistItems/list,
  https://developers.google.com/youtube/v3/guides/implementation/videos).
- Connection test: ``channels.list?mine=true&part=snippet,contentDetails,status``.
- Quota: 10,000 units a day for most methods and a separate bucket for ``videos.insert``; quotas
  reset at midnight Pacific Time (https://developers.google.com/youtube/v3/determine_quota_cost).
- Errors: ``{"error": {"code", "message", "errors": [{"reason", "domain"}]}}`` with the reasons
  of https://developers.google.com/youtube/v3/docs/errors and
  https://developers.google.com/youtube/v3/docs/core_errors.
- Tokens: OAuth 2.0 for web-server apps. Warta keeps the client id/secret and a refresh token and
  exchanges it at ``https://oauth2.googleapis.com/token`` (``grant_type=refresh_token``) for an
  access token of about an hour; ``invalid_grant`` means the refresh token was revoked or has
  expired — refresh tokens of an app left in "Testing" publishing status expire after 7 days
  (https://developers.google.com/identity/protocols/oauth2/web-server#offline,
  https://developers.google.com/identity/protocols/oauth2#expiration).

Account options: ``privacy_status`` (public | unlisted | private, default public),
``category_id`` (e.g. "25", News & Politics; default: YouTube's), ``notify_subscribers``
("false" to upload silently), ``token_url`` (token endpoint), ``chunk_size`` (bytes, rounded down
to 256 KiB, default 8 MiB), ``max_resumes`` (default 5), ``resume_wait`` (seconds, default 2),
``find_pages`` (pages of 50 uploads to look through, default 4).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.platforms import http
from warta.publishing.platforms.base import (
    Ambiguous,
    ChannelError,
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

API_ROOT = "https://www.googleapis.com"
TOKEN_URL = "https://oauth2.googleapis.com/token"
WATCH_URL = "https://www.youtube.com/watch?v=%s"

TITLE_LIMIT = 100  # characters
DESCRIPTION_LIMIT = 5000  # bytes (UTF-8)
TAGS_LIMIT = 500  # characters, counted as the docs say (see ``tags_length``)
MAX_VIDEO_BYTES = 256 * 1024**3
CHUNK_UNIT = 256 * 1024
DEFAULT_CHUNK = 32 * CHUNK_UNIT  # 8 MiB
PRIVACY = ("public", "unlisted", "private")
PACIFIC = zoneinfo.ZoneInfo("America/Los_Angeles")
RESUMABLE = frozenset({500, 502, 503, 504})
DEFAULT_RATE_WAIT = 60.0
UPLOAD_LIMIT_WAIT = 24 * 3600.0  # "try again in 24 hours" (uploadLimitExceeded)

METADATA_REASONS = frozenset(
    {
        "invalidTitle",
        "invalidDescription",
        "invalidTags",
        "invalidCategoryId",
        "invalidVideoMetadata",
        "defaultLanguageNotSet",
        "invalidPublishAt",
        "invalidRecordingDetails",
        "invalidFilename",
    }
)
MEDIA_REASONS = frozenset({"badContent", "mediaBodyRequired", "uploadTooLarge", "invalidImage"})

_RANGE = re.compile(r"bytes=0-(\d+)\Z")


def _reconnect() -> str:
    return _("Reconnect the account in Channel accounts.")


def seconds_until_quota_reset(now: dt.datetime | None = None) -> float:
    """Seconds until the next midnight Pacific Time, when YouTube's daily quota resets (plus a
    minute of margin)."""
    now = now or timezone.now()
    local = now.astimezone(PACIFIC)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=PACIFIC)
    # Subtract in UTC: aware datetimes sharing one tzinfo subtract as wall-clock times.
    return (midnight.astimezone(dt.UTC) - now.astimezone(dt.UTC)).total_seconds() + 60.0


def tags_length(tags: list[str]) -> int:
    """A tag list's length as YouTube counts it: commas between tags count, and a tag holding
    a space counts as if wrapped in quotation marks."""
    if not tags:
        return 0
    return sum(len(tag) + (2 if " " in tag else 0) for tag in tags) + len(tags) - 1


def _clean(text: str) -> str:
    """YouTube refuses ``<`` and ``>`` in titles, descriptions and tags: use look-alikes."""
    return text.replace("<", "‹").replace(">", "›")


def _title(post: Post) -> str:
    return _clean(" ".join(post.title.split()))


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


class YouTube(Platform):
    code = "youtube"
    name = "YouTube"
    caption_limit = DESCRIPTION_LIMIT
    title_limit = TITLE_LIMIT
    max_photos = 0
    takes_video = True
    can_update = True
    can_withdraw = True
    can_find = True
    url_hosts = ("www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be")
    credential_fields = (
        CredentialField(
            "client_id",
            gettext_lazy("OAuth client ID"),
            secret=False,
            help=gettext_lazy(
                "From Google Cloud console, APIs & Services, Credentials: an OAuth client of "
                "type Web application in the project where YouTube Data API v3 is enabled."
            ),
        ),
        CredentialField("client_secret", gettext_lazy("OAuth client secret")),
        CredentialField(
            "refresh_token",
            gettext_lazy("Refresh token"),
            help=gettext_lazy(
                "Issued once when the channel's Google account grants the scope "
                "https://www.googleapis.com/auth/youtube to the OAuth client (offline access)."
            ),
        ),
    )
    docs = "https://developers.google.com/youtube/v3/guides/using_resumable_upload_protocol"

    def __init__(self, account, **kwargs) -> None:
        super().__init__(account, **kwargs)
        self._access_token = account.credentials.get("access_token", "")
        self._token_deadline: float | None = None  # time.monotonic() after which to refresh
        self._refresh_expires_at: dt.datetime | None = None
        self._uploads_playlist = ""
        self._http = http.client(account.base_url or API_ROOT, timeout=self.timeout)

    def caption_length(self, text: str) -> int:
        """The description limit is in bytes."""
        return len(text.encode("utf-8"))

    # --- operations ------------------------------------------------------------------------
    def test_connection(self) -> ConnectionInfo:
        channel = self._my_channel("snippet,contentDetails,status")
        snippet = channel.get("snippet") or {}
        if self.account.external_id and channel.get("id") != self.account.external_id:
            raise Permanent(
                _("This token belongs to the YouTube channel %(found)s, not %(expected)s.")
                % {"found": channel.get("id", "?"), "expected": self.account.external_id},
                advice=_("Sign in with the channel's own Google account and reconnect."),
            )
        detail = _("Channel %(id)s.") % {"id": channel.get("id", "")}
        if (channel.get("status") or {}).get("longUploadsStatus") not in (None, "allowed"):
            detail += " " + _(
                "Videos longer than 15 minutes need a verified channel (youtube.com/verify)."
            )
        return ConnectionInfo(
            name=str(snippet.get("title") or channel.get("id", "")),
            expires_at=self._refresh_expires_at,
            detail=detail,
        )

    def publish(self, post: Post) -> Remote:
        video = post.video
        if video is None:
            raise NotSupported(
                _("YouTube takes only videos, and this item has none."),
                advice=_("Add a video to the item, or do not send it to YouTube."),
            )
        resource = {"snippet": self._snippet(post), "status": self._status_part()}
        self._check_video(video)
        session = self._start_session(resource, video)
        return self._remote(self._upload(session, video))

    def update(self, remote: Remote, post: Post) -> Remote:
        current = self._get_video(remote.external_id, "snippet")
        if current is None:
            raise Permanent(
                _("The video is no longer on YouTube."),
                advice=_("Publish the item to YouTube again."),
            )
        old = current.get("snippet") or {}
        snippet = {
            key: old[key]
            for key in ("title", "description", "tags", "categoryId", "defaultLanguage")
            if key in old
        }
        snippet.update(self._snippet(post))
        if not snippet.get("categoryId"):
            raise Permanent(
                _("YouTube needs the video's category to change its details."),
                advice=_("Set the category_id option of the YouTube account."),
            )
        response = self._request(
            "PUT",
            "/youtube/v3/videos",
            params={"part": "snippet"},
            json={"id": remote.external_id, "snippet": snippet},
        )
        if response.status_code != 200:
            raise self._error(response)
        return Remote(
            external_id=remote.external_id,
            url=remote.url or WATCH_URL % remote.external_id,
            state=remote.state,
            published_at=remote.published_at,
            extra=dict(remote.extra),
        )

    def withdraw(self, remote: Remote) -> None:
        response = self._request("DELETE", "/youtube/v3/videos", params={"id": remote.external_id})
        if response.status_code in (200, 204, 404):
            return  # 404 videoNotFound: already gone
        raise self._error(response)

    def status(self, remote: Remote) -> Remote | None:
        video = self._get_video(remote.external_id, "snippet,status,processingDetails")
        if video is None:
            return None
        status = video.get("status") or {}
        processing = video.get("processingDetails") or {}
        if status.get("uploadStatus") == "deleted":
            return None
        if status.get("uploadStatus") in ("failed", "rejected") or (
            processing.get("processingStatus") == "failed"
        ):
            reason = (
                status.get("rejectionReason")
                or status.get("failureReason")
                or processing.get("processingFailureReason")
                or status.get("uploadStatus")
            )
            raise MediaRejected(
                _("YouTube could not process the video (%(reason)s).") % {"reason": reason},
                advice=_("Check the video file (format, length, rights) and publish again."),
            )
        return self._remote(video)

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        ids = self._recent_uploads(since - dt.timedelta(minutes=5))
        if not ids:
            return None
        videos = []
        for start in range(0, len(ids), 50):
            response = self._request(
                "GET",
                "/youtube/v3/videos",
                params={"id": ",".join(ids[start : start + 50]), "part": "snippet,status"},
            )
            if response.status_code != 200:
                raise self._error(response)
            videos.extend(http.json_or_empty(response).get("items") or [])
        for video in videos:  # Warta's key among the tags: certain
            if post.key in ((video.get("snippet") or {}).get("tags") or []):
                return self._remote(video)
        title = _title(post)
        for video in videos:  # else the exact title within the window
            if (video.get("snippet") or {}).get("title") == title:
                return self._remote(video)
        return None

    # --- building the video resource --------------------------------------------------------
    def _snippet(self, post: Post) -> dict:
        title = _title(post)
        if not title:
            raise Permanent(
                _("The video has no title."), advice=_("Give the item a title and try again.")
            )
        if len(title) > TITLE_LIMIT:
            raise Permanent(
                _("The title has %(count)s characters; YouTube allows at most %(limit)s.")
                % {"count": len(title), "limit": TITLE_LIMIT},
                advice=_("Shorten the title for YouTube."),
            )
        description = _clean(post.caption.strip())
        if post.link and post.link not in description:
            with_link = f"{description}\n\n{post.link}".strip()
            if len(with_link.encode()) <= DESCRIPTION_LIMIT:
                description = with_link
        size = len(description.encode())
        if size > DESCRIPTION_LIMIT:
            raise Permanent(
                _("The description has %(count)s bytes; YouTube allows at most %(limit)s.")
                % {"count": size, "limit": DESCRIPTION_LIMIT},
                advice=_("Shorten the YouTube text of the item."),
            )
        snippet: dict[str, Any] = {
            "title": title,
            "description": description,
            "tags": self._tags(post),
        }
        category = self.account.options.get("category_id", "").strip()
        if category:
            snippet["categoryId"] = category
        return snippet

    def _tags(self, post: Post) -> list[str]:
        """Warta's key first (for ``find``), then the item's tags while they fit."""
        tags = [post.key]
        seen = {post.key.casefold()}
        for raw in post.tags:
            tag = " ".join(_clean(raw).replace(",", " ").replace('"', "").split())
            if not tag or tag.casefold() in seen:
                continue
            if tags_length([*tags, tag]) > TAGS_LIMIT:
                continue
            tags.append(tag)
            seen.add(tag.casefold())
        return tags

    def _status_part(self) -> dict:
        privacy = self.account.options.get("privacy_status", "").strip() or "public"
        if privacy not in PRIVACY:
            raise Permanent(
                _("The account's privacy setting %(value)s is not one YouTube knows.")
                % {"value": privacy},
                advice=_("Set privacy_status to public, unlisted or private."),
            )
        return {"privacyStatus": privacy, "selfDeclaredMadeForKids": False}

    def _check_video(self, video: MediaFile) -> None:
        if video.size <= 0:
            raise MediaRejected(_("The video file is empty."))
        if video.size > MAX_VIDEO_BYTES:
            raise MediaRejected(
                _("The video is larger than YouTube's 256 GB limit."),
                advice=_("Upload a smaller rendition of the video."),
            )

    # --- the resumable upload ---------------------------------------------------------------
    def _start_session(self, resource: dict, video: MediaFile) -> str:
        params = {"uploadType": "resumable", "part": "snippet,status"}
        if self.account.options.get("notify_subscribers", "").lower() == "false":
            params["notifySubscribers"] = "false"
        response = self._request(
            "POST",
            "/upload/youtube/v3/videos",
            params=params,
            headers={
                "Content-Type": "application/json; charset=UTF-8",
                "X-Upload-Content-Length": str(video.size),
                "X-Upload-Content-Type": video.content_type or "application/octet-stream",
            },
            content=json.dumps(resource).encode(),
        )
        if response.status_code != 200:
            raise self._error(response)
        location = response.headers.get("location", "")
        api = urlsplit(str(self._http.base_url))
        target = urlsplit(location)
        if not location or (target.scheme, target.netloc) != (api.scheme, api.netloc):
            # Never send the account's token to a host that is not the API's.
            raise Transient(_("YouTube did not open an upload session."))
        return location

    def _upload(self, session: str, video: MediaFile) -> dict:
        """Send the bytes in chunks; after a lost connection or a 5xx, ask what arrived and
        resume from there. Bounded by ``max_resumes`` interruptions."""
        total = video.size
        chunk = self._chunk_size()
        max_resumes = self._int_option("max_resumes", 5)
        wait = self._float_option("resume_wait", 2.0)
        offset, interruptions, sent_last, ask = 0, 0, False, False
        with video.open() as stream:
            while True:
                self.progress()
                if ask:
                    headers = {"Content-Range": f"bytes */{total}"}
                    response = self._try("PUT", session, headers=headers, content=b"")
                else:
                    length = min(chunk, total - offset)
                    stream.seek(offset)
                    data = stream.read(length)
                    if len(data) != length:
                        raise Permanent(_("The video file is shorter than its recorded size."))
                    last = offset + length == total
                    sent_last = sent_last or last
                    headers = {
                        "Content-Type": video.content_type or "application/octet-stream",
                        "Content-Range": f"bytes {offset}-{offset + length - 1}/{total}",
                    }
                    response = self._try(
                        "PUT", session, creates=last, headers=headers, content=data
                    )
                code = response.status_code if response is not None else None
                if code in (200, 201):
                    body = http.json_or_empty(response)
                    if not body.get("id"):
                        raise Ambiguous(_("YouTube finished the upload without a video id."))
                    return body
                if code == 308:
                    received = self._received(response, total)
                    asked, progressed = ask, received > offset
                    offset, ask = received, False
                    if asked or progressed:
                        continue
                    # A chunk of which nothing arrived counts as an interruption.
                elif code == 404:
                    error = Ambiguous if sent_last else Transient
                    raise error(
                        _("The YouTube upload session expired before the video was complete."),
                        advice=_(
                            "Warta checks whether the video was made before sending it again."
                        ),
                    )
                elif code is not None and code not in RESUMABLE:
                    raise self._error(response, creates=sent_last)
                interruptions += 1
                if interruptions > max_resumes:
                    message = _("The upload to YouTube was interrupted too often.")
                    if sent_last:
                        raise Ambiguous(
                            message,
                            advice=_(
                                "Warta checks whether the video was made before sending it again."
                            ),
                        )
                    raise Transient(message)
                pause = http.retry_after(response) if response is not None else None
                time.sleep(
                    min(60.0, pause if pause is not None else wait * 2 ** (interruptions - 1))
                )
                ask = True

    def _try(self, method: str, url: str, **kwargs: Any) -> httpx.Response | None:
        """A request whose lost answer only means "ask the session what arrived"."""
        try:
            return self._request(method, url, **kwargs)
        except (Transient, Ambiguous):
            return None

    @staticmethod
    def _received(response: httpx.Response, total: int) -> int:
        """Bytes the session holds, from the 308's ``Range`` (none when it is absent)."""
        value = response.headers.get("range", "").strip()
        if not value:
            return 0
        match = _RANGE.match(value)
        if not match or int(match.group(1)) >= total:
            raise Transient(_("YouTube answered the upload with an unreadable range."))
        return int(match.group(1)) + 1

    def _chunk_size(self) -> int:
        size = self._int_option("chunk_size", DEFAULT_CHUNK)
        return max(CHUNK_UNIT, size - size % CHUNK_UNIT)

    def _int_option(self, name: str, default: int) -> int:
        try:
            return int(self.account.options.get(name, default))
        except (TypeError, ValueError):
            return default

    def _float_option(self, name: str, default: float) -> float:
        try:
            return float(self.account.options.get(name, default))
        except (TypeError, ValueError):
            return default

    # --- reading ----------------------------------------------------------------------------
    def _my_channel(self, part: str) -> dict:
        response = self._request(
            "GET", "/youtube/v3/channels", params={"mine": "true", "part": part}
        )
        if response.status_code != 200:
            raise self._error(response)
        items = http.json_or_empty(response).get("items") or []
        if not items:
            raise Permanent(
                _("This Google account has no YouTube channel."),
                advice=_("Sign in with the Google account that owns the channel and reconnect."),
            )
        channel = items[0]
        uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get(
            "uploads"
        )
        if uploads:
            self._uploads_playlist = uploads
        return channel

    def _recent_uploads(self, since: dt.datetime) -> list[str]:
        """Ids of the videos added to the channel's uploads since ``since`` (newest first)."""
        if not self._uploads_playlist:
            self._my_channel("contentDetails")
        if not self._uploads_playlist:
            raise Permanent(_("YouTube did not say where the channel's uploads are."))
        ids: list[str] = []
        token = ""
        for _page in range(max(1, self._int_option("find_pages", 4))):
            params = {"playlistId": self._uploads_playlist, "part": "snippet", "maxResults": "50"}
            if token:
                params["pageToken"] = token
            response = self._request("GET", "/youtube/v3/playlistItems", params=params)
            if response.status_code != 200:
                raise self._error(response)
            body = http.json_or_empty(response)
            older = False
            for item in body.get("items") or []:
                snippet = item.get("snippet") or {}
                added = _parse_time(snippet.get("publishedAt"))
                if added is not None and added < since:
                    older = True
                    continue
                video_id = (snippet.get("resourceId") or {}).get("videoId")
                if video_id and video_id not in ids:
                    ids.append(video_id)
            token = body.get("nextPageToken") or ""
            if older or not token:
                break
        return ids

    def _get_video(self, video_id: str, part: str) -> dict | None:
        response = self._request("GET", "/youtube/v3/videos", params={"id": video_id, "part": part})
        if response.status_code != 200:
            raise self._error(response)
        items = http.json_or_empty(response).get("items") or []
        return items[0] if items else None

    def _remote(self, video: dict) -> Remote:
        video_id = str(video["id"])
        snippet = video.get("snippet") or {}
        status = video.get("status") or {}
        state = "published" if status.get("uploadStatus") == "processed" else "processing"
        extra: dict[str, Any] = {"channel_id": snippet.get("channelId", "")}
        if status:
            privacy = status.get("privacyStatus", "")
            wanted = self.account.options.get("privacy_status", "").strip() or "public"
            extra |= {"privacy_status": privacy, "upload_status": status.get("uploadStatus", "")}
            # Unverified API projects' uploads are locked private (see the module docstring).
            extra["privacy_locked"] = privacy == "private" and wanted != "private"
        return Remote(
            external_id=video_id,
            url=WATCH_URL % video_id,
            state=state,
            published_at=_parse_time(snippet.get("publishedAt")),
            extra=extra,
        )

    # --- HTTP, tokens, errors ---------------------------------------------------------------
    def _request(
        self,
        method: str,
        url: str,
        *,
        creates: bool = False,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One API request with the access token; on a 401 the token is renewed once."""
        renewed = False
        while True:
            token = self._token()
            response = http.send(
                self._http,
                method,
                url,
                platform=self.name,
                creates=creates,
                headers={**(headers or {}), "Authorization": f"Bearer {token}"},
                **kwargs,
            )
            if (
                response.status_code != 401
                or renewed
                or self._reason(response) == ("youtubeSignupRequired")
            ):
                return response
            self._access_token, renewed = "", True

    def _token(self) -> str:
        fresh = self._token_deadline is None or time.monotonic() < self._token_deadline
        if self._access_token and fresh:
            return self._access_token
        return self._refresh()

    def _refresh(self) -> str:
        credentials = self.account.credentials
        missing = [
            n for n in ("client_id", "client_secret", "refresh_token") if not credentials.get(n)
        ]
        if missing:
            raise TokenExpired(
                _("The YouTube account lacks %(fields)s.") % {"fields": ", ".join(missing)},
                advice=_reconnect(),
            )
        response = http.send(
            self._http,
            "POST",
            self.account.options.get("token_url") or TOKEN_URL,
            platform=self.name,
            creates=False,
            data={
                "grant_type": "refresh_token",
                "client_id": credentials["client_id"],
                "client_secret": credentials["client_secret"],
                "refresh_token": credentials["refresh_token"],
            },
        )
        body = http.json_or_empty(response)
        if response.status_code == 200 and body.get("access_token"):
            self._access_token = str(body["access_token"])
            lifetime = float(body.get("expires_in") or 3600)
            self._token_deadline = time.monotonic() + max(0.0, lifetime - 60.0)
            if body.get("refresh_token_expires_in"):
                self._refresh_expires_at = timezone.now() + dt.timedelta(
                    seconds=float(body["refresh_token_expires_in"])
                )
            return self._access_token
        error = str(body.get("error", ""))
        if error == "invalid_grant":
            raise TokenExpired(
                _(
                    "Google no longer accepts the YouTube account's refresh token: it was revoked "
                    "or has expired."
                ),
                advice=_(
                    "Reconnect the account in Channel accounts. If this happens every week, the "
                    "OAuth app is still in Testing status: publish it to production in Google "
                    "Cloud console."
                ),
            )
        if error in ("invalid_client", "unauthorized_client", "deleted_client"):
            raise TokenExpired(
                _("Google does not accept the account's OAuth client (%(error)s).")
                % {"error": error},
                advice=_("Check the client ID and secret, then reconnect the account."),
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise Transient(
                _("Google's sign-in service is busy (HTTP %(status)s).")
                % {"status": response.status_code},
                retry_after=http.retry_after(response),
            )
        raise Permanent(
            _("Google refused to renew the YouTube access token (%(error)s).")
            % {"error": error or response.status_code},
            advice=_reconnect(),
        )

    @staticmethod
    def _reason(response: httpx.Response) -> str:
        error = http.json_or_empty(response).get("error")
        if not isinstance(error, dict):
            return ""
        errors = error.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("reason", ""))
        return ""

    def _error(self, response: httpx.Response, *, creates: bool = False) -> ChannelError:
        """What a failed YouTube answer means (documented reasons first, then the status)."""
        code = response.status_code
        reason = self._reason(response)
        error = http.json_or_empty(response).get("error")
        detail = str(error.get("message", ""))[:300] if isinstance(error, dict) else ""
        values = {"reason": reason or code, "detail": detail}
        if reason == "youtubeSignupRequired":
            return Permanent(
                _("This Google account has no YouTube channel."),
                advice=_("Sign in with the Google account that owns the channel and reconnect."),
            )
        if code == 401:
            return TokenExpired(
                _("YouTube no longer accepts the account's access token."), advice=_reconnect()
            )
        if reason in ("quotaExceeded", "dailyLimitExceeded"):
            return Transient(
                _("The YouTube API quota for today is used up."),
                advice=_("Warta tries again after the quota resets (midnight Pacific Time)."),
                retry_after=seconds_until_quota_reset(),
            )
        if code == 429 or reason in ("rateLimitExceeded", "userRateLimitExceeded"):
            return Transient(
                _("YouTube asked Warta to slow down (%(reason)s).") % values,
                retry_after=http.retry_after(response) or DEFAULT_RATE_WAIT,
            )
        if reason == "uploadLimitExceeded":
            return Transient(
                _("The channel reached YouTube's daily upload limit."),
                advice=_("Warta tries again in 24 hours."),
                retry_after=UPLOAD_LIMIT_WAIT,
            )
        if reason in MEDIA_REASONS:
            return MediaRejected(
                _("YouTube refused the video file (%(reason)s): %(detail)s") % values,
                advice=_("Upload the video as MP4 (or another video format YouTube accepts)."),
            )
        if reason in METADATA_REASONS:
            return Permanent(
                _("YouTube refused the video's details (%(reason)s): %(detail)s") % values,
                advice=_("Correct the title, description, tags or category and try again."),
            )
        if reason in ("forbiddenPrivacySetting", "forbiddenLicenseSetting"):
            return Permanent(
                _("YouTube refused the video's settings (%(reason)s).") % values,
                advice=_("Check the account's privacy_status option."),
            )
        if code == 403:
            return Permanent(
                _("YouTube did not allow this (%(reason)s): %(detail)s") % values,
                advice=_(
                    "Reconnect the account and grant access to the channel's YouTube account "
                    "(scope https://www.googleapis.com/auth/youtube)."
                ),
            )
        if code == 404:
            return Permanent(_("YouTube could not find the video (%(reason)s).") % values)
        if code >= 500:
            message = _("YouTube had a server error (HTTP %(status)s).") % {"status": code}
            if creates:
                return Ambiguous(
                    message,
                    advice=_("Warta checks whether the video was made before sending it again."),
                )
            return Transient(message, retry_after=http.retry_after(response))
        return Permanent(_("YouTube refused the request (%(reason)s): %(detail)s") % values)

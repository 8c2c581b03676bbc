"""A local fake of the X API v2 parts Warta uses, built from the official reference.

It enforces what the documentation states: a bearer user token; ``POST /2/media/upload`` as
multipart with ``media`` and a ``media_category`` of tweet_image/dm_image/subtitles and an image
type from the documented list, at most 5 MB; the chunked upload (initialize JSON with a
documented media type and ``total_bytes``, append segments 0–999, finalize only when every
byte arrived, STATUS polling pending → in_progress → succeeded); alt text at most 1000
characters; ``POST /2/tweets`` with text or media, 280 characters (links 23), at most 4 photos
or 1 video, media that finished processing, and edits within 30 minutes up to 5 times; the
timeline with ``start_time`` in ``YYYY-MM-DDTHH:mm:ssZ`` and ``max_results`` 5–100. Errors come
as problem details (``title``/``detail``/``type``/``status``) and a 429 carries the
``x-rate-limit-*`` headers. Stored text is returned as X returns it: links rewritten to t.co,
a media link appended, ``&<>`` escaped.

Tokens (https://docs.x.com/fundamentals/authentication/oauth-2-0/user-access-token): an access
token works until ``token_lifetime`` seconds after it was issued (``expire()`` ends it at once)
and is refused with the 401 problem body; ``POST /2/oauth2/token`` takes only a form with
``grant_type=refresh_token`` and the current ``refresh_token``, authenticated by ``client_id`` in
the form (public client) or HTTP Basic ``client_id:client_secret`` (confidential client, when
``client_secret`` is set). Every renewal issues a new pair; a spent or unknown refresh token is
refused with ``{"error": "invalid_request", "error_description": ...}``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import itertools
import re
import time
import unicodedata
from dataclasses import dataclass, field

from tests.publishing.fakekit import FakeServer, Reply, Request

IMAGE_TYPES = {
    "image/jpeg",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
}
UPLOAD_TYPES = IMAGE_TYPES | {
    "video/mp4",
    "video/webm",
    "video/mp2t",
    "video/quicktime",
    "image/gif",
    "text/srt",
    "text/vtt",
}
CHUNK_CATEGORIES = {
    "amplify_video",
    "tweet_gif",
    "tweet_image",
    "tweet_video",
    "dm_gif",
    "dm_image",
    "dm_video",
    "subtitles",
}
LINK = re.compile(r"https?://[^\s]+|www\.[^\s]+", re.IGNORECASE)


def problem(status: int, title: str, detail: str = "") -> Reply:
    return Reply(
        status,
        {"title": title, "detail": detail or title, "type": "about:blank", "status": status},
    )


def oauth_error(status: int, error: str, description: str) -> Reply:
    """The token endpoint's error body (OAuth 2.0, RFC 6749 section 5.2)."""
    return Reply(status, {"error": error, "error_description": description})


def rate_limited(reset_in: int = 120) -> Reply:
    """The documented 429: problem details and the x-rate-limit headers."""
    reply = problem(429, "Too Many Requests")
    reply.headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": str(int(time.time()) + reset_in),
    }
    return reply


@dataclass
class Media:
    id: str
    kind: str  # photo | video
    total: int
    received: dict[int, int] = field(default_factory=dict)  # segment → bytes
    finalized: bool = False
    polls: int = 0
    state: str = "succeeded"
    alt_text: str = ""


@dataclass
class Tweet:
    id: str
    text: str  # as X returns it
    sent_text: str
    media_ids: list[str]
    created_at: dt.datetime
    history: list[str] = field(default_factory=list)
    deleted: bool = False


class XFake:
    """The fake's state and routes; ``start()`` serves it on a free local port."""

    def __init__(
        self,
        *,
        token: str = "x-user-token",
        user_id: str = "1500",
        client_id: str = "x-client-id",
        client_secret: str = "",
        refresh_token: str = "x-refresh-0",
        token_lifetime: int = 7200,
    ) -> None:
        self.server = FakeServer()
        self.token = token
        self.token_expires_at: float | None = None  # the first token lives until expire()
        self.client_id = client_id
        self.client_secret = client_secret  # set: a confidential client (Basic auth)
        self.refresh_token = refresh_token
        self.token_lifetime = token_lifetime
        self.spent_refresh_tokens: list[str] = []
        self.renewals = 0
        self._tokens = itertools.count(1)
        self.user = {"id": user_id, "name": "Humas Poltekim", "username": "humaspoltekim"}
        self.media: dict[str, Media] = {}
        self.tweets: dict[str, Tweet] = {}
        self.video_fails = False  # STATUS ends in "failed" (InvalidMedia)
        self.processing_polls = 2  # STATUS polls before a video succeeds
        self._ids = itertools.count(1880028106020515840)
        self._add_routes()

    # --- plumbing ---------------------------------------------------------------------------
    def start(self) -> XFake:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def next_id(self) -> str:
        return str(next(self._ids))

    def live_tweets(self) -> list[Tweet]:
        return [t for t in self.tweets.values() if not t.deleted]

    def expire(self) -> None:
        """The current access token stops working (its two hours are over)."""
        self.token_expires_at = time.time() - 1

    def revoke(self) -> None:
        """The user removed the app: the refresh token no longer works either."""
        self.expire()
        self.spent_refresh_tokens.append(self.refresh_token)
        self.refresh_token = ""

    def _authorised(self, request: Request) -> Reply | None:
        live = self.token_expires_at is None or time.time() < self.token_expires_at
        if request.bearer() != self.token or not live:
            return problem(401, "Unauthorized")
        return None

    def _renew(self, request: Request) -> Reply:
        """``POST /2/oauth2/token`` with ``grant_type=refresh_token``."""
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return oauth_error(400, "invalid_request", "Content-Type must be form-urlencoded.")
        form = request.form()
        if self.client_secret:
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode())
            if request.headers.get("authorization", "") != "Basic " + expected.decode():
                return oauth_error(401, "unauthorized_client", "Missing valid authorization header")
        elif form.get("client_id") != self.client_id:
            return oauth_error(400, "invalid_request", "Missing required parameter [client_id].")
        if form.get("grant_type") != "refresh_token":
            return oauth_error(400, "unsupported_grant_type", "grant_type is not supported.")
        given = form.get("refresh_token", "")
        if not given:
            return oauth_error(
                400, "invalid_request", "Missing required parameter [refresh_token]."
            )
        if not self.refresh_token or given != self.refresh_token:
            return oauth_error(400, "invalid_request", "Value passed for the token was invalid.")
        number = next(self._tokens)
        self.spent_refresh_tokens.append(given)
        self.refresh_token = f"x-refresh-{number}"
        self.token = f"x-access-{number}"
        self.token_expires_at = time.time() + self.token_lifetime
        self.renewals += 1
        return Reply(
            200,
            {
                "token_type": "bearer",
                "expires_in": self.token_lifetime,
                "access_token": self.token,
                "scope": "tweet.read tweet.write users.read media.write offline.access",
                "refresh_token": self.refresh_token,
            },
        )

    def _route(self, method: str, pattern: str):
        def wrap(handler):
            def guarded(request: Request) -> Reply:
                return self._authorised(request) or handler(request)

            self.server.route(method, pattern)(guarded)
            return handler

        return wrap

    # --- routes -----------------------------------------------------------------------------
    def _add_routes(self) -> None:
        route = self._route
        self.server.route("POST", r"/2/oauth2/token")(self._renew)

        @route("GET", r"/2/users/me")
        def me(request: Request) -> Reply:
            return Reply(200, {"data": dict(self.user)})

        @route("POST", r"/2/media/upload")
        def upload(request: Request) -> Reply:
            parts = request.multipart()
            if not parts:
                return problem(400, "Invalid Request", "The body must be multipart/form-data.")
            media = parts.get("media")
            category = parts.get("media_category", ("", b"", ""))[1].decode()
            media_type = parts.get("media_type", ("", b"", ""))[1].decode()
            if media is None or not media[1]:
                return problem(400, "Invalid Request", "The `media` field is required.")
            if category not in {"tweet_image", "dm_image", "subtitles"}:
                return problem(400, "Invalid Request", "`media_category` is required.")
            if media_type and media_type not in IMAGE_TYPES | {"text/srt", "text/vtt"}:
                return problem(400, "Invalid Request", f"Unsupported media_type {media_type}.")
            if len(media[1]) > 5 * 1024 * 1024:
                return problem(400, "Invalid Request", "Image file size exceeds 5 MB.")
            item = Media(self.next_id(), "photo", len(media[1]), {0: len(media[1])}, True)
            self.media[item.id] = item
            return Reply(200, {"data": self._media_data(item)})

        @route("POST", r"/2/media/metadata")
        def metadata(request: Request) -> Reply:
            body = request.json()
            item = self.media.get(str(body.get("id", "")))
            if item is None:
                return problem(400, "Invalid Request", "Unknown media id.")
            text = body.get("metadata", {}).get("alt_text", {}).get("text")
            if not isinstance(text, str) or len(text) > 1000:
                return problem(400, "Invalid Request", "alt_text.text must be ≤ 1000 characters.")
            item.alt_text = text
            return Reply(200, {"data": {"id": item.id, "associated_metadata": body["metadata"]}})

        @route("POST", r"/2/media/upload/initialize")
        def initialize(request: Request) -> Reply:
            if not request.headers.get("content-type", "").startswith("application/json"):
                return problem(400, "Invalid Request", "The body must be JSON.")
            body = request.json()
            media_type = body.get("media_type")
            total = body.get("total_bytes")
            category = body.get("media_category", "tweet_video")
            if media_type not in UPLOAD_TYPES:
                return problem(400, "Invalid Request", f"Unsupported media_type {media_type}.")
            if category not in CHUNK_CATEGORIES:
                return problem(400, "Invalid Request", f"Unknown media_category {category}.")
            if not isinstance(total, int) or total <= 0:
                return problem(400, "Invalid Request", "`total_bytes` is required.")
            if category == "tweet_video" and total > 512 * 1024 * 1024:
                return problem(400, "Invalid Request", "Video file size exceeds 512 MB.")
            kind = "video" if media_type.startswith("video/") else "photo"
            item = Media(self.next_id(), kind, total)
            self.media[item.id] = item
            return Reply(200, {"data": self._media_data(item)})

        @route("POST", r"/2/media/upload/(?P<id>\d+)/append")
        def append(request: Request) -> Reply:
            item = self.media.get(request.params["id"])
            if item is None or item.finalized:
                return problem(400, "Invalid Request", "No open upload session for this id.")
            parts = request.multipart()
            index = parts.get("segment_index", ("", b"", ""))[1].decode()
            chunk = parts.get("media", ("", b"", ""))[1]
            if not index.isdigit() or not 0 <= int(index) <= 999:
                return problem(400, "Invalid Request", "`segment_index` must be 0–999.")
            if not chunk:
                return problem(400, "Invalid Request", "The `media` field is required.")
            item.received[int(index)] = len(chunk)
            return Reply(200, {"data": {"expires_at": int(time.time()) + 86400}})

        @route("POST", r"/2/media/upload/(?P<id>\d+)/finalize")
        def finalize(request: Request) -> Reply:
            item = self.media.get(request.params["id"])
            if item is None:
                return problem(400, "Invalid Request", "Unknown media id.")
            if sum(item.received.values()) != item.total:
                return problem(400, "Invalid Request", "Segments do not add up to total_bytes.")
            item.finalized = True
            if item.kind == "video":
                item.state = "pending"
            return Reply(200, {"data": self._media_data(item)})

        @route("GET", r"/2/media/upload")
        def upload_status(request: Request) -> Reply:
            if request.query.get("command") != "STATUS":
                return problem(400, "Invalid Request", "`command` must be STATUS.")
            item = self.media.get(request.query.get("media_id", ""))
            if item is None:
                return problem(400, "Invalid Request", "Unknown media id.")
            item.polls += 1
            if item.state in ("pending", "in_progress"):
                if item.polls >= self.processing_polls:
                    item.state = "failed" if self.video_fails else "succeeded"
                else:
                    item.state = "in_progress"
            return Reply(200, {"data": self._media_data(item)})

        @route("POST", r"/2/tweets")
        def create(request: Request) -> Reply:
            return self._create(request.json())

        @route("DELETE", r"/2/tweets/(?P<id>\d+)")
        def delete(request: Request) -> Reply:
            tweet = self.tweets.get(request.params["id"])
            if tweet is None or tweet.deleted:
                return problem(404, "Not Found Error", "Could not find the post.")
            for other in self.tweets.values():  # deleting any version deletes the chain
                if other.id in tweet.history or tweet.id in other.history:
                    other.deleted = True
            tweet.deleted = True
            return Reply(200, {"data": {"deleted": True}})

        @route("GET", r"/2/tweets/(?P<id>\d+)")
        def lookup(request: Request) -> Reply:
            tweet = self.tweets.get(request.params["id"])
            if tweet is None or tweet.deleted:
                return Reply(
                    200,
                    {
                        "errors": [
                            {
                                "value": request.params["id"],
                                "detail": "Could not find tweet.",
                                "title": "Not Found Error",
                                "type": "https://api.twitter.com/2/problems/resource-not-found",
                            }
                        ]
                    },
                )
            return Reply(200, {"data": self._tweet_data(tweet)})

        @route("GET", r"/2/users/(?P<id>\d+)/tweets")
        def timeline(request: Request) -> Reply:
            return self._timeline(request)

    # --- behaviour --------------------------------------------------------------------------
    def _media_data(self, item: Media) -> dict:
        data = {
            "id": item.id,
            "media_key": ("7_" if item.kind == "video" else "3_") + item.id,
            "expires_after_secs": 86400,
            "size": item.total,
        }
        if item.kind == "video" and item.finalized:
            data["processing_info"] = {"state": item.state, "check_after_secs": 1}
            if item.state == "failed":
                data["processing_info"]["error"] = {
                    "code": 1,
                    "name": "InvalidMedia",
                    "message": "Unsupported video format",
                }
        return data

    @staticmethod
    def weight(text: str) -> int:
        """X's count for Latin text: NFC code points, links 23 (enough for the tests' texts)."""
        text = unicodedata.normalize("NFC", text)
        return len(LINK.sub("x" * 23, text))

    def _create(self, body: dict) -> Reply:
        text = body.get("text", "")
        media_ids = [str(m) for m in body.get("media", {}).get("media_ids", [])]
        if not text and not media_ids:
            return problem(400, "Invalid Request", "One of text or media is required.")
        if self.weight(text) > 280:
            return problem(400, "Invalid Request", "Text is too long.")
        items = [self.media.get(m) for m in media_ids]
        if any(item is None for item in items):
            return problem(400, "Invalid Request", "Your media IDs are invalid.")
        videos = [item for item in items if item.kind == "video"]
        if len(items) > 4 or (videos and len(items) > 1):
            return problem(400, "Invalid Request", "Up to 4 photos or 1 video per post.")
        if any(item.state != "succeeded" or not item.finalized for item in items):
            return problem(400, "Invalid Request", "Media is not ready.")
        history: list[str] = []
        edit = body.get("edit_options")
        if edit is not None:
            previous = self.tweets.get(str(edit.get("previous_post_id", "")))
            if previous is None or previous.deleted:
                return problem(400, "Invalid Request", "previous_post_id is invalid.")
            first = self.tweets[previous.history[0]] if previous.history else previous
            if dt.datetime.now(dt.UTC) - first.created_at > dt.timedelta(minutes=30):
                return problem(403, "Forbidden", "This post is no longer editable.")
            if len(previous.history) >= 6:
                return problem(403, "Forbidden", "This post has no edits remaining.")
            history = [*(previous.history or [previous.id])]
            previous.deleted = True  # the timeline shows the latest version only
        tweet = Tweet(
            id=self.next_id(),
            text=self._as_returned(text, bool(media_ids)),
            sent_text=text,
            media_ids=media_ids,
            created_at=dt.datetime.now(dt.UTC),
        )
        tweet.history = [*history, tweet.id]
        self.tweets[tweet.id] = tweet
        return Reply(201, {"data": self._tweet_data(tweet, created=False)})

    def _as_returned(self, text: str, has_media: bool) -> str:
        counter = itertools.count()
        text = LINK.sub(lambda _m: f"https://t.co/l{next(counter):08d}", text)
        text = html.escape(text, quote=False)
        if has_media:
            text = (text + " https://t.co/media0001").strip()
        return text

    def _tweet_data(self, tweet: Tweet, *, created: bool = True) -> dict:
        data = {"id": tweet.id, "text": tweet.text, "edit_history_tweet_ids": tweet.history}
        if created:
            data["created_at"] = tweet.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        return data

    def _timeline(self, request: Request) -> Reply:
        if request.params["id"] != self.user["id"]:
            return problem(404, "Not Found Error", "Could not find user.")
        start = request.query.get("start_time")
        since = dt.datetime.min.replace(tzinfo=dt.UTC)
        if start is not None:
            if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", start):
                return problem(400, "Invalid Request", "start_time must be YYYY-MM-DDTHH:mm:ssZ.")
            since = dt.datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        size = int(request.query.get("max_results", "10"))
        if not 5 <= size <= 100:
            return problem(400, "Invalid Request", "max_results must be between 5 and 100.")
        tweets = sorted(
            (t for t in self.live_tweets() if t.created_at >= since),
            key=lambda t: t.created_at,
            reverse=True,
        )
        offset = int(request.query.get("pagination_token", "0") or 0)
        page = tweets[offset : offset + size]
        meta: dict = {"result_count": len(page)}
        if offset + size < len(tweets):
            meta["next_token"] = str(offset + size)
        body: dict = {"meta": meta}
        if page:
            body["data"] = [self._tweet_data(t) for t in page]
        return Reply(200, body)

"""A fake of Google's OAuth token endpoint and the parts of the YouTube Data API v3 Warta uses.

Built from the official documentation (see ``warta.publishing.platforms.youtube``): the token
endpoint's refresh grant and its ``invalid_grant``/``invalid_client`` answers; the resumable
upload protocol (session URI in ``Location``, chunks of multiples of 256 KiB with
``Content-Range``, ``308`` with ``Range``, ``bytes */TOTAL`` status queries, ``201`` with the
video resource, the same final answer repeated to a later status query); ``videos.list``,
``videos.update`` (title and categoryId required, the snippet replaced whole), ``videos.delete``,
``channels.list?mine=true`` and ``playlistItems.list`` on the uploads playlist; the documented
limits (title 100 characters, description 5000 bytes, no ``<``/``>``, tags 500 characters);
OAuth scopes per method; the daily quota buckets; Google's error body
``{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}``.

Test helpers: ``expire_access_tokens``, ``revoke``, ``interrupt_next_chunk`` (store part of the
next chunk, then answer 503 or drop the connection), ``finish_processing``, ``add_video``,
``quota``, and ``violations`` (protocol mistakes of the client the fake noticed).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from tests.publishing.fakekit import FakeServer, Reply, Request

SCOPE_YOUTUBE = "https://www.googleapis.com/auth/youtube"
SCOPE_UPLOAD = "https://www.googleapis.com/auth/youtube.upload"
SCOPE_FORCE_SSL = "https://www.googleapis.com/auth/youtube.force-ssl"
SCOPE_READONLY = "https://www.googleapis.com/auth/youtube.readonly"
SCOPE_PARTNER = "https://www.googleapis.com/auth/youtubepartner"

# Which scopes each method accepts (the methods' reference pages, "Authorization").
INSERT_SCOPES = {SCOPE_UPLOAD, SCOPE_YOUTUBE, SCOPE_FORCE_SSL, SCOPE_PARTNER}
READ_SCOPES = {SCOPE_YOUTUBE, SCOPE_FORCE_SSL, SCOPE_READONLY, SCOPE_PARTNER}
WRITE_SCOPES = {SCOPE_YOUTUBE, SCOPE_FORCE_SSL, SCOPE_PARTNER}

CHUNK_UNIT = 256 * 1024
CATEGORIES = {"1", "2", "10", "15", "17", "19", "20", "22", "23", "24", "25", "26", "27", "28"}
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
_CONTENT_RANGE = re.compile(r"bytes (?:(\d+)-(\d+)|\*)/(\d+)\Z")


def google_error(code: int, reason: str, message: str, *, domain: str = "youtube.api") -> dict:
    """Google's JSON error body."""
    return {
        "error": {
            "code": code,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            "status": STATUS_NAMES.get(code, "UNKNOWN"),
        }
    }


def quota_exceeded() -> Reply:
    return Reply(
        403,
        google_error(
            403,
            "quotaExceeded",
            "The request cannot be completed because you have exceeded your quota.",
            domain="youtube.quota",
        ),
    )


def rate_limited(retry_after: int | None = None) -> Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Reply(
        429,
        google_error(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits"),
        headers,
    )


def backend_error() -> Reply:
    return Reply(503, google_error(503, "backendError", "Backend Error", domain="global"))


def tags_length(tags: list[str]) -> int:
    if not tags:
        return 0
    return sum(len(t) + (2 if " " in t else 0) for t in tags) + len(tags) - 1


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _DropConnection(Exception):
    """Raised by a handler to close the socket without an answer."""


@dataclass
class Session:
    parts: list[str]
    resource: dict
    total: int
    content_type: str
    received: bytearray = field(default_factory=bytearray)
    chunk_size: int = 0
    result: dict | None = None


class GoogleFake(FakeServer):
    def __init__(
        self,
        *,
        client_id: str = "123-warta.apps.googleusercontent.com",
        client_secret: str = "GOCSPX-secret",
        refresh_token: str = "1//0g-refresh",
        scopes: tuple[str, ...] = (SCOPE_YOUTUBE,),
        verified_project: bool = True,
        token_lifetime: int = 3599,
    ) -> None:
        super().__init__()
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_tokens: dict[str, set[str]] = {refresh_token: set(scopes)}
        self.token_lifetime = token_lifetime
        self.verified_project = verified_project
        self.access_tokens: dict[str, tuple[float, set[str]]] = {}
        self.channel = {
            "id": "UC" + "w" * 22,
            "title": "Humas Kabupaten Contoh",
            "uploads": "UU" + "w" * 22,
            "longUploadsStatus": "allowed",
        }
        self.videos: dict[str, dict] = {}  # id → resource (all parts), oldest first
        self.media: dict[str, bytes] = {}
        self.sessions: dict[str, Session] = {}
        self.quota = {"default": 10_000, "uploads": 100}
        self.violations: list[str] = []
        self._interrupt: tuple[int, str] | None = None
        self._state = threading.RLock()
        self._routes()

    # --- test helpers ------------------------------------------------------------------------
    def start(self) -> GoogleFake:
        super().start()
        server = self._server
        default = server.handle_error

        def quiet(request, client_address):  # a dropped connection is intended, not an error
            if not isinstance(sys.exc_info()[1], _DropConnection):
                default(request, client_address)

        server.handle_error = quiet
        return self

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def expire_access_tokens(self) -> None:
        with self._state:
            self.access_tokens.clear()

    def revoke(self, refresh_token: str) -> None:
        with self._state:
            self.refresh_tokens.pop(refresh_token, None)

    def interrupt_next_chunk(self, keep: int, *, mode: str = "503") -> None:
        """The next chunk stores only its first ``keep`` bytes, then the fake answers 503
        backendError (``mode="503"``) or closes the connection without answering
        (``mode="drop"``)."""
        assert mode in ("503", "drop")
        self._interrupt = (keep, mode)

    def finish_processing(self, video_id: str) -> None:
        """End processing: a file that does not look like MP4/QuickTime (no ``ftyp`` box)
        fails as ``invalidFile``."""
        with self._state:
            video = self.videos[video_id]
            if self.media.get(video_id, b"")[4:8] == b"ftyp":
                video["status"]["uploadStatus"] = "processed"
                video["processingDetails"] = {"processingStatus": "succeeded"}
            else:
                video["status"]["uploadStatus"] = "failed"
                video["status"]["failureReason"] = "invalidFile"
                video["processingDetails"] = {
                    "processingStatus": "failed",
                    "processingFailureReason": "transcodeFailed",
                }

    def add_video(self, title: str, *, tags: list[str] | None = None, age_minutes: float = 0):
        """A video uploaded by other means (e.g. by hand in YouTube Studio)."""
        published = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=age_minutes)
        stamp = published.strftime("%Y-%m-%dT%H:%M:%SZ")
        video = self._new_video(
            {"snippet": {"title": title, "description": "", "tags": tags or []}}, stamp
        )
        video["status"]["uploadStatus"] = "processed"
        return video["id"]

    def uploaded(self, video_id: str) -> bytes:
        return self.media[video_id]

    # --- plumbing ----------------------------------------------------------------------------
    def _violation(self, text: str) -> None:
        with self._state:
            self.violations.append(text)

    def _auth(self, request: Request, scopes: set[str]) -> Reply | None:
        with self._state:
            entry = self.access_tokens.get(request.bearer())
        if entry is None or entry[0] < time.time():
            message = (
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential."
            )
            body = google_error(401, "authError", "Invalid Credentials", domain="global")
            body["error"]["message"] = message
            body["error"]["errors"][0] |= {"location": "Authorization", "locationType": "header"}
            return Reply(
                401,
                body,
                {
                    "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", '
                    'error="invalid_token"'
                },
            )
        if not entry[1] & scopes:
            return Reply(
                403,
                google_error(
                    403,
                    "insufficientPermissions",
                    "Request had insufficient authentication scopes.",
                    domain="global",
                ),
                {"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
            )
        return None

    def _charge(self, bucket: str, units: int) -> Reply | None:
        with self._state:
            if self.quota[bucket] < units:
                return quota_exceeded()
            self.quota[bucket] -= units
        return None

    @staticmethod
    def _parts(request: Request) -> list[str] | Reply:
        part = request.query.get("part", "")
        if not part:
            return Reply(
                400,
                google_error(
                    400,
                    "missingRequiredParameter",
                    "No filter selected. Expected one of: part",
                    domain="youtube.parameter",
                ),
            )
        return [p.strip() for p in part.split(",") if p.strip()]

    @staticmethod
    def _check_snippet(snippet: dict, *, update: bool) -> Reply | None:
        def bad(reason: str, message: str) -> Reply:
            return Reply(400, google_error(400, reason, message, domain="youtube.video"))

        title = snippet.get("title")
        if update and (not title or not snippet.get("categoryId")):
            return bad("invalidVideoMetadata", "The request metadata is invalid.")
        if title is not None and (
            not isinstance(title, str)
            or not title.strip()
            or len(title) > 100
            or "<" in title
            or ">" in title
        ):
            return bad("invalidTitle", "The request metadata specifies an invalid video title.")
        description = snippet.get("description", "")
        if (
            not isinstance(description, str)
            or len(description.encode()) > 5000
            or "<" in description
            or ">" in description
        ):
            return bad(
                "invalidDescription", "The request metadata specifies an invalid description."
            )
        tags = snippet.get("tags", [])
        if not isinstance(tags, list) or tags_length(tags) > 500:
            return bad("invalidTags", "The request metadata specifies invalid video keywords.")
        if "categoryId" in snippet and snippet["categoryId"] not in CATEGORIES:
            return bad(
                "invalidCategoryId",
                "The snippet.categoryId property specifies an invalid category ID.",
            )
        return None

    def _new_video(self, resource: dict, published: str | None = None) -> dict:
        with self._state:
            video_id = secrets.token_urlsafe(8)[:11]
            snippet = dict(resource.get("snippet") or {})
            status = dict(resource.get("status") or {})
            privacy = status.get("privacyStatus", "public")
            if not self.verified_project:
                privacy = "private"  # locked: unverified API project
            video = {
                "kind": "youtube#video",
                "etag": secrets.token_hex(8),
                "id": video_id,
                "snippet": {
                    "publishedAt": published or _now(),
                    "channelId": self.channel["id"],
                    "title": snippet.get("title", "unknown"),
                    "description": snippet.get("description", ""),
                    "thumbnails": {
                        "default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg"}
                    },
                    "channelTitle": self.channel["title"],
                    "tags": list(snippet.get("tags") or []),
                    "categoryId": snippet.get("categoryId", "22"),
                    "liveBroadcastContent": "none",
                },
                "status": {
                    "uploadStatus": "uploaded",
                    "privacyStatus": privacy,
                    "license": "youtube",
                    "embeddable": True,
                    "publicStatsViewable": True,
                    "madeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                    "selfDeclaredMadeForKids": bool(status.get("selfDeclaredMadeForKids", False)),
                },
                "processingDetails": {"processingStatus": "processing"},
            }
            if not video["snippet"]["tags"]:
                del video["snippet"]["tags"]
            self.videos[video_id] = video
            return video

    @staticmethod
    def _render(video: dict, parts: list[str]) -> dict:
        out = {"kind": video["kind"], "etag": video["etag"], "id": video["id"]}
        for part in parts:
            if part in video:
                out[part] = video[part]
        return out

    # --- routes ------------------------------------------------------------------------------
    def _routes(self) -> None:
        self.route("POST", r"/token")(self._token)
        self.route("POST", r"/upload/youtube/v3/videos")(self._start_upload)
        self.route("PUT", r"/upload/youtube/v3/videos")(self._put_chunk)
        self.route("GET", r"/youtube/v3/videos")(self._list_videos)
        self.route("PUT", r"/youtube/v3/videos")(self._update_video)
        self.route("DELETE", r"/youtube/v3/videos")(self._delete_video)
        self.route("GET", r"/youtube/v3/channels")(self._channels)
        self.route("GET", r"/youtube/v3/playlistItems")(self._playlist_items)

    def _token(self, request: Request) -> Reply:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            self._violation("token request is not form-encoded")
        form = request.form()
        if form.get("grant_type") != "refresh_token":
            return Reply(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Invalid grant_type: " + form.get("grant_type", ""),
                },
            )
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})
        with self._state:
            scopes = self.refresh_tokens.get(form.get("refresh_token", ""))
            if scopes is None:
                return Reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                )
            token = "ya29." + secrets.token_urlsafe(24)
            self.access_tokens[token] = (time.time() + self.token_lifetime, set(scopes))
        return Reply(
            200,
            {
                "access_token": token,
                "expires_in": self.token_lifetime,
                "scope": " ".join(sorted(scopes)),
                "token_type": "Bearer",
            },
        )

    def _start_upload(self, request: Request) -> Reply:
        refused = self._auth(request, INSERT_SCOPES)
        if refused:
            return refused
        if request.query.get("uploadType") != "resumable":
            self._violation("upload without uploadType=resumable")
            return Reply(400, google_error(400, "invalid", "Invalid uploadType", domain="global"))
        parts = self._parts(request)
        if isinstance(parts, Reply):
            return parts
        if not request.headers.get("content-type", "").startswith("application/json"):
            self._violation("session metadata is not JSON")
        length = request.headers.get("x-upload-content-length", "")
        if not length.isdigit() or int(length) == 0:
            self._violation("X-Upload-Content-Length missing")
            return Reply(
                400,
                google_error(
                    400,
                    "mediaBodyRequired",
                    "The request does not include the video content.",
                    domain="youtube.video",
                ),
            )
        ctype = request.headers.get("x-upload-content-type", "")
        if not (ctype.startswith("video/") or ctype == "application/octet-stream"):
            return Reply(
                400,
                google_error(
                    400,
                    "badContent",
                    f"Media type '{ctype}' is not supported. "
                    "Valid media types: [video/*, application/octet-stream]",
                    domain="global",
                ),
            )
        resource = request.json()
        refused = self._check_snippet(resource.get("snippet") or {}, update=False)
        if refused:
            return refused
        refused = self._charge("uploads", 1)
        if refused:
            return refused
        upload_id = secrets.token_urlsafe(16)
        kept = {p: resource[p] for p in parts if p in resource}  # other parts are ignored
        with self._state:
            self.sessions[upload_id] = Session(parts, kept, int(length), ctype)
        location = (
            f"{self.url}/upload/youtube/v3/videos?uploadType=resumable"
            f"&upload_id={upload_id}&part={quote(','.join(parts))}"
        )
        return Reply(200, b"", {"Location": location, "X-GUploader-UploadID": upload_id})

    def _put_chunk(self, request: Request) -> Reply:
        with self._state:
            session = self.sessions.get(request.query.get("upload_id", ""))
        if session is None:
            return Reply(404, "Not Found")
        refused = self._auth(request, INSERT_SCOPES)
        if refused:
            return refused
        match = _CONTENT_RANGE.match(request.headers.get("content-range", ""))
        if not match or int(match.group(3)) != session.total:
            self._violation(f"bad Content-Range {request.headers.get('content-range')!r}")
            return Reply(
                400, google_error(400, "badRequest", "Invalid Content-Range", domain="global")
            )
        with self._state:
            if match.group(1) is None:  # bytes */TOTAL: the status query
                if request.body:
                    self._violation("status query with a body")
                return self._progress(session)
            if session.result is not None:
                return self._progress(session)
            first, last = int(match.group(1)), int(match.group(2))
            if len(request.body) != last - first + 1:
                self._violation("chunk length differs from its Content-Range")
                return Reply(
                    400, google_error(400, "badRequest", "Invalid Content-Range", domain="global")
                )
            if first != len(session.received):
                self._violation(f"chunk starts at {first}, session holds {len(session.received)}")
                return self._progress(session)
            final = last + 1 == session.total
            if not final:
                if len(request.body) % CHUNK_UNIT:
                    self._violation(
                        f"chunk of {len(request.body)} bytes is not a multiple of 256 KiB"
                    )
                    return Reply(
                        400, google_error(400, "badRequest", "Invalid chunk size", domain="global")
                    )
                if session.chunk_size and len(request.body) != session.chunk_size:
                    self._violation("chunks of different sizes")
                session.chunk_size = session.chunk_size or len(request.body)
            if request.headers.get("content-type") != session.content_type:
                self._violation("chunk Content-Type differs from X-Upload-Content-Type")
            interrupt, self._interrupt = self._interrupt, None
            if interrupt:
                keep, mode = interrupt
                session.received += request.body[:keep]
                if mode == "drop":
                    raise _DropConnection
                return backend_error()
            session.received += request.body
            if len(session.received) < session.total:
                return self._progress(session)
            video = self._new_video(session.resource)
            self.media[video["id"]] = bytes(session.received)
            session.result = self._render(video, session.parts)
            return Reply(201, session.result)

    @staticmethod
    def _progress(session: Session) -> Reply:
        if session.result is not None:  # finished: the same answer again
            return Reply(201, session.result)
        held = len(session.received)
        headers = {"Range": f"bytes=0-{held - 1}"} if held else {}
        return Reply(308, b"", headers)

    def _list_videos(self, request: Request) -> Reply:
        refused = self._auth(request, READ_SCOPES)
        if refused:
            return refused
        parts = self._parts(request)
        if isinstance(parts, Reply):
            return parts
        ids = [i for i in request.query.get("id", "").split(",") if i]
        if not ids:
            return Reply(
                400,
                google_error(
                    400,
                    "missingRequiredParameter",
                    "No filter selected. Expected one of: myRating, chart, id",
                    domain="youtube.parameter",
                ),
            )
        if len(ids) > 50:
            return Reply(
                400,
                google_error(400, "invalidParameter", "Too many ids", domain="youtube.parameter"),
            )
        refused = self._charge("default", 1)
        if refused:
            return refused
        with self._state:
            items = [self._render(self.videos[i], parts) for i in ids if i in self.videos]
        return Reply(
            200,
            {
                "kind": "youtube#videoListResponse",
                "etag": secrets.token_hex(8),
                "items": items,
                "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
            },
        )

    def _update_video(self, request: Request) -> Reply:
        refused = self._auth(request, WRITE_SCOPES)
        if refused:
            return refused
        parts = self._parts(request)
        if isinstance(parts, Reply):
            return parts
        body = request.json()
        with self._state:
            video = self.videos.get(body.get("id", ""))
        if video is None:
            return Reply(
                404,
                google_error(
                    404,
                    "videoNotFound",
                    "The video that you are trying to update cannot be found.",
                    domain="youtube.video",
                ),
            )
        if "snippet" in parts:
            snippet = body.get("snippet") or {}
            refused = self._check_snippet(snippet, update=True)
            if refused:
                return refused
        refused = self._charge("default", 50)
        if refused:
            return refused
        with self._state:
            if "snippet" in parts:
                old = video["snippet"]
                fixed = {
                    k: old[k]
                    for k in (
                        "publishedAt",
                        "channelId",
                        "thumbnails",
                        "channelTitle",
                        "liveBroadcastContent",
                    )
                }
                mutable = {
                    k: snippet[k]
                    for k in ("title", "description", "tags", "categoryId", "defaultLanguage")
                    if k in snippet
                }
                video["snippet"] = fixed | mutable  # the snippet is replaced whole
        return Reply(200, self._render(video, parts))

    def _delete_video(self, request: Request) -> Reply:
        refused = self._auth(request, WRITE_SCOPES)
        if refused:
            return refused
        with self._state:
            video = self.videos.get(request.query.get("id", ""))
        if video is None:
            return Reply(
                404,
                google_error(
                    404,
                    "videoNotFound",
                    "The video that you are trying to delete cannot be found.",
                    domain="youtube.video",
                ),
            )
        refused = self._charge("default", 50)
        if refused:
            return refused
        with self._state:
            del self.videos[video["id"]]
        return Reply(204, b"")

    def _channels(self, request: Request) -> Reply:
        refused = self._auth(request, READ_SCOPES)
        if refused:
            return refused
        parts = self._parts(request)
        if isinstance(parts, Reply):
            return parts
        if request.query.get("mine") != "true":
            return Reply(
                400,
                google_error(
                    400,
                    "missingRequiredParameter",
                    "No filter selected.",
                    domain="youtube.parameter",
                ),
            )
        refused = self._charge("default", 1)
        if refused:
            return refused
        channel = self.channel
        resource = {
            "kind": "youtube#channel",
            "etag": secrets.token_hex(8),
            "id": channel["id"],
            "snippet": {"title": channel["title"], "description": "", "customUrl": "@humascontoh"},
            "contentDetails": {"relatedPlaylists": {"likes": "", "uploads": channel["uploads"]}},
            "status": {
                "privacyStatus": "public",
                "longUploadsStatus": channel["longUploadsStatus"],
            },
        }
        item = {k: v for k, v in resource.items() if k in ("kind", "etag", "id") or k in parts}
        return Reply(
            200,
            {
                "kind": "youtube#channelListResponse",
                "items": [item],
                "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            },
        )

    def _playlist_items(self, request: Request) -> Reply:
        refused = self._auth(request, READ_SCOPES)
        if refused:
            return refused
        parts = self._parts(request)
        if isinstance(parts, Reply):
            return parts
        if request.query.get("playlistId") != self.channel["uploads"]:
            return Reply(
                404,
                google_error(
                    404,
                    "playlistNotFound",
                    "The playlist identified with the request's playlistId parameter cannot "
                    "be found.",
                    domain="youtube.playlistItem",
                ),
            )
        size = int(request.query.get("maxResults") or 5)
        if not 0 <= size <= 50:
            return Reply(
                400,
                google_error(
                    400, "invalidParameter", "Invalid maxResults", domain="youtube.parameter"
                ),
            )
        refused = self._charge("default", 1)
        if refused:
            return refused
        start = int(request.query.get("pageToken", "p0")[1:] or 0)
        with self._state:
            newest_first = sorted(
                self.videos.values(),
                key=lambda v: dt.datetime.fromisoformat(v["snippet"]["publishedAt"]),
                reverse=True,
            )
        page = newest_first[start : start + size]
        items = []
        for position, video in enumerate(page, start):
            resource = {
                "kind": "youtube#playlistItem",
                "etag": secrets.token_hex(8),
                "id": secrets.token_urlsafe(12),
                "snippet": {
                    "publishedAt": video["snippet"]["publishedAt"],
                    "channelId": self.channel["id"],
                    "title": video["snippet"]["title"],
                    "description": video["snippet"]["description"],
                    "playlistId": self.channel["uploads"],
                    "position": position,
                    "resourceId": {"kind": "youtube#video", "videoId": video["id"]},
                },
                "contentDetails": {
                    "videoId": video["id"],
                    "videoPublishedAt": video["snippet"]["publishedAt"],
                },
            }
            items.append(
                {k: v for k, v in resource.items() if k in ("kind", "etag", "id") or k in parts}
            )
        body = {
            "kind": "youtube#playlistItemListResponse",
            "items": items,
            "pageInfo": {"totalResults": len(newest_first), "resultsPerPage": size},
        }
        if start + size < len(newest_first):
            body["nextPageToken"] = f"p{start + size}"
        return Reply(200, body)

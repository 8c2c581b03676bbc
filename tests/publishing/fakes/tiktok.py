"""A local fake of the TikTok Content Posting and Display API parts Warta uses.

Built from the official reference, it enforces: the bearer user token; creator info before a
post; ``privacy_level`` among the creator's ``privacy_level_options``; unaudited clients posting
only ``SELF_ONLY``; the video title at most 2200 UTF-16 units and photo title/description at
most 90/4000; ``FILE_UPLOAD`` chunk rules (5–64 MB chunks, a file under 5 MB whole, count =
size // chunk, the last chunk up to 128 MB, at most 1000 chunks, sent in order with exact
``Content-Range`` headers); 1–35 photo URLs under a verified prefix; the video duration the
creator may post. Every answer carries ``{"error": {"code", "message", "log_id"}}``; uploads
answer 206 until the last chunk, which answers 201; a post then goes PROCESSING_UPLOAD →
PUBLISH_COMPLETE (public posts get ``publicaly_available_post_id`` and appear in
``/v2/video/list/``), or FAILED with a ``fail_reason``.

Tokens (https://developers.tiktok.com/docs/en/oauth-refresh-a-user-access-token,
https://developers.tiktok.com/doc/oauth-error-handling): an access token works until
``token_lifetime`` seconds after it was issued (``expire()`` ends it at once) and is then refused
with 401 ``access_token_invalid``; ``POST /v2/oauth/token/`` takes only a form with
``client_key``, ``client_secret``, ``grant_type=refresh_token`` and the current
``refresh_token``, answers ``access_token``/``expires_in``/``refresh_token``/
``refresh_expires_in``, and rotates the refresh token: the one sent is refused afterwards with
``{"error": "invalid_grant", "error_description", "log_id"}``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import time
from dataclasses import dataclass, field

from tests.publishing.fakekit import FakeServer, Reply, Request

MB = 1024 * 1024
STATUS = {
    "ok": 200,
    "invalid_param": 400,
    "access_token_invalid": 401,
    "scope_not_authorized": 401,
    "spam_risk_too_many_posts": 403,
    "spam_risk_user_banned_from_posting": 403,
    "reached_active_user_cap": 403,
    "unaudited_client_can_only_post_to_private_accounts": 403,
    "url_ownership_unverified": 403,
    "privacy_level_option_mismatch": 400,
    "rate_limit_exceeded": 429,
    "internal": 500,
}


def answer(code: str = "ok", data: dict | None = None, message: str = "") -> Reply:
    return Reply(
        STATUS.get(code, 400),
        {
            "data": data or {},
            "error": {"code": code, "message": message, "log_id": "202611290000000000FAKE"},
        },
    )


def oauth_error(error: str, description: str, status: int = 400) -> Reply:
    """The OAuth endpoints' error body (Login Kit error handling)."""
    return Reply(
        status,
        {"error": error, "error_description": description, "log_id": "202611290000000000OAUTH"},
    )


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class Publish:
    id: str
    kind: str  # video | photo
    title: str
    description: str
    privacy: str
    size: int = 0
    chunk: int = 0
    chunks: int = 0
    received: int = 0
    next_chunk: int = 0
    status: str = "PROCESSING_UPLOAD"
    fail_reason: str = ""
    polls: int = 0
    post_id: str = ""
    body: bytes = b""
    init: dict = field(default_factory=dict)


class TikTokFake:
    def __init__(
        self,
        *,
        token: str = "act.tiktok-user",
        client_key: str = "tt-client-key",
        client_secret: str = "tt-client-secret",
        refresh_token: str = "rft.tiktok-0",
        token_lifetime: int = 86400,
    ) -> None:
        self.server = FakeServer()
        self.token = token
        self.token_expires_at: float | None = None  # the first token lives until expire()
        self.client_key = client_key
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.token_lifetime = token_lifetime
        self.spent_refresh_tokens: list[str] = []
        self.renewals = 0
        self.refusal_status = 400  # HTTP status of a refused renewal
        self._tokens = itertools.count(1)
        self.audited = False
        self.verified_prefix = "https://poltekim.example.id/media/"
        self.creator = {
            "creator_avatar_url": "https://p16.example/avatar.jpg",
            "creator_username": "humaspoltekim",
            "creator_nickname": "Humas Poltekim",
            "privacy_level_options": ["PUBLIC_TO_EVERYONE", "FOLLOWER_OF_CREATOR", "SELF_ONLY"],
            "comment_disabled": False,
            "duet_disabled": False,
            "stitch_disabled": True,
            "max_video_post_duration_sec": 600,
        }
        self.publishes: dict[str, Publish] = {}
        self.videos: list[dict] = []  # the public videos, as /v2/video/list/ shows them
        self.processing_polls = 1  # status fetches answered "in progress" before the outcome
        self.fail_reason = ""  # when set, posts end FAILED with it
        self.scopes = {"user.info.basic", "video.publish", "video.list"}
        self._ids = itertools.count(7300000000000000001)
        self._add_routes()

    def start(self) -> TikTokFake:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def expire(self) -> None:
        """The current access token stops working (its lifetime is over)."""
        self.token_expires_at = time.time() - 1

    def revoke(self) -> None:
        """The user removed the app: the refresh token no longer works either."""
        self.expire()
        self.spent_refresh_tokens.append(self.refresh_token)
        self.refresh_token = ""

    def _renew(self, request: Request) -> Reply:
        """``POST /v2/oauth/token/`` with ``grant_type=refresh_token``."""
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            return oauth_error("invalid_request", "Content-Type must be form-urlencoded.")
        form = request.form()
        missing = [
            name
            for name in ("client_key", "client_secret", "grant_type", "refresh_token")
            if not form.get(name)
        ]
        if missing:
            return oauth_error("invalid_request", f"Missing {', '.join(missing)}.")
        if form["client_key"] != self.client_key or form["client_secret"] != self.client_secret:
            return oauth_error("invalid_client", "Client key or secret is invalid.", 401)
        if form["grant_type"] != "refresh_token":
            return oauth_error("unsupported_grant_type", "grant_type is not supported.")
        given = form["refresh_token"]
        if not self.refresh_token or given != self.refresh_token:
            return oauth_error(
                "invalid_grant", "Refresh token is invalid or expired.", self.refusal_status
            )
        number = next(self._tokens)
        self.spent_refresh_tokens.append(given)
        self.refresh_token = f"rft.tiktok-{number}"
        self.token = f"act.tiktok-{number}"
        self.token_expires_at = time.time() + self.token_lifetime
        self.renewals += 1
        return Reply(
            200,
            {
                "open_id": "open-1",
                "scope": "user.info.basic,video.publish,video.list",
                "access_token": self.token,
                "expires_in": self.token_lifetime,
                "refresh_token": self.refresh_token,
                "refresh_expires_in": 31536000,
                "token_type": "Bearer",
            },
        )

    # --- routes -----------------------------------------------------------------------------
    def _route(self, method: str, pattern: str, *, scope: str = ""):
        def wrap(handler):
            def guarded(request: Request) -> Reply:
                live = self.token_expires_at is None or time.time() < self.token_expires_at
                if request.bearer() != self.token or not live:
                    return answer("access_token_invalid", message="The access token is invalid.")
                if scope and scope not in self.scopes:
                    return answer("scope_not_authorized", message=f"Scope {scope} missing.")
                return handler(request)

            self.server.route(method, pattern)(guarded)
            return handler

        return wrap

    def _add_routes(self) -> None:
        route = self._route
        self.server.route("POST", r"/v2/oauth/token/")(self._renew)

        @route("GET", r"/v2/user/info/", scope="user.info.basic")
        def user_info(request: Request) -> Reply:
            if "fields" not in request.query:
                return answer("invalid_param", message="fields is required")
            user = {"open_id": "open-1", "union_id": "union-1", "display_name": "Humas Poltekim"}
            wanted = request.query["fields"].split(",")
            return answer(data={"user": {k: v for k, v in user.items() if k in wanted}})

        @route("POST", r"/v2/post/publish/creator_info/query/", scope="video.publish")
        def creator_info(request: Request) -> Reply:
            return answer(data=dict(self.creator))

        @route("POST", r"/v2/post/publish/video/init/", scope="video.publish")
        def video_init(request: Request) -> Reply:
            return self._video_init(request.json())

        @route("POST", r"/v2/post/publish/content/init/", scope="video.publish")
        def content_init(request: Request) -> Reply:
            return self._photo_init(request.json())

        @route("POST", r"/v2/post/publish/status/fetch/", scope="video.publish")
        def status(request: Request) -> Reply:
            publish = self.publishes.get(str(request.json().get("publish_id", "")))
            if publish is None:
                return answer("invalid_param", message="publish_id not found")
            return answer(data=self._status(publish))

        @route("POST", r"/v2/video/list/", scope="video.list")
        def video_list(request: Request) -> Reply:
            if "fields" not in request.query:
                return answer("invalid_param", message="fields is required")
            body = request.json()
            size = int(body.get("max_count", 10))
            if not 1 <= size <= 20:
                return answer("invalid_param", message="max_count must be 1-20")
            cursor = int(body.get("cursor") or 2**62)
            older = [v for v in self.videos if v["create_time"] * 1000 < cursor]
            older.sort(key=lambda v: v["create_time"], reverse=True)
            page = older[:size]
            fields = request.query["fields"].split(",")
            return answer(
                data={
                    "videos": [{k: v for k, v in video.items() if k in fields} for video in page],
                    "cursor": page[-1]["create_time"] * 1000 if page else cursor,
                    "has_more": len(older) > size,
                }
            )

        @self.server.route("PUT", r"/upload/(?P<id>[^/]+)")
        def upload(request: Request) -> Reply:
            return self._upload(request)

    # --- behaviour --------------------------------------------------------------------------
    def _post_info_error(self, info: dict, kind: str) -> str:
        privacy = info.get("privacy_level")
        if privacy not in self.creator["privacy_level_options"]:
            return "privacy_level_option_mismatch"
        if not self.audited and privacy != "SELF_ONLY":
            return "unaudited_client_can_only_post_to_private_accounts"
        if kind == "video" and utf16(info.get("title", "")) > 2200:
            return "invalid_param"
        if kind == "photo" and (
            utf16(info.get("title", "")) > 90 or utf16(info.get("description", "")) > 4000
        ):
            return "invalid_param"
        return ""

    def _new(self, kind: str, info: dict, body: dict) -> Publish:
        publish = Publish(
            id=f"v_pub_{kind}~v2-1.{next(self._ids)}",
            kind=kind,
            title=info.get("title", ""),
            description=info.get("description", ""),
            privacy=info["privacy_level"],
            init=body,
        )
        self.publishes[publish.id] = publish
        return publish

    def _video_init(self, body: dict) -> Reply:
        info, source = body.get("post_info", {}), body.get("source_info", {})
        error = self._post_info_error(info, "video")
        if error:
            return answer(error)
        if source.get("source") == "PULL_FROM_URL":
            if not str(source.get("video_url", "")).startswith(self.verified_prefix):
                return answer("url_ownership_unverified")
            publish = self._new("video", info, body)
            publish.status = "PROCESSING_DOWNLOAD"
            return answer(data={"publish_id": publish.id})
        if source.get("source") != "FILE_UPLOAD":
            return answer("invalid_param", message="source must be FILE_UPLOAD or PULL_FROM_URL")
        size, chunk, count = (
            source.get(k) for k in ("video_size", "chunk_size", "total_chunk_count")
        )
        if not all(isinstance(v, int) and v > 0 for v in (size, chunk, count)):
            return answer("invalid_param", message="video_size, chunk_size, total_chunk_count")
        if size < 5 * MB and (chunk != size or count != 1):
            return answer("invalid_param", message="videos under 5 MB go as one chunk")
        if size >= 5 * MB and not (5 * MB <= chunk <= 64 * MB or (chunk == size <= 64 * MB)):
            return answer("invalid_param", message="chunk_size must be 5-64 MB")
        if count != size // chunk or not 1 <= count <= 1000:
            return answer(
                "invalid_param", message="total_chunk_count must be video_size // chunk_size"
            )
        if size - (count - 1) * chunk > 128 * MB:
            return answer("invalid_param", message="the last chunk may be at most 128 MB")
        publish = self._new("video", info, body)
        publish.size, publish.chunk, publish.chunks = size, chunk, count
        return answer(
            data={"publish_id": publish.id, "upload_url": f"{self.url}/upload/{publish.id}"}
        )

    def _photo_init(self, body: dict) -> Reply:
        info, source = body.get("post_info", {}), body.get("source_info", {})
        if body.get("media_type") != "PHOTO" or body.get("post_mode") != "DIRECT_POST":
            return answer("invalid_param", message="media_type PHOTO, post_mode DIRECT_POST")
        error = self._post_info_error(info, "photo")
        if error:
            return answer(error)
        images = source.get("photo_images") or []
        if source.get("source") != "PULL_FROM_URL" or not 1 <= len(images) <= 35:
            return answer("invalid_param", message="1-35 photo_images by PULL_FROM_URL")
        if not 0 <= int(source.get("photo_cover_index", 0)) < len(images):
            return answer("invalid_param", message="photo_cover_index out of range")
        if any(not str(url).startswith(self.verified_prefix) for url in images):
            return answer("url_ownership_unverified")
        publish = self._new("photo", info, body)
        publish.status = "PROCESSING_DOWNLOAD"
        return answer(data={"publish_id": publish.id})

    def _upload(self, request: Request) -> Reply:
        publish = self.publishes.get(request.params["id"])
        if publish is None or publish.status != "PROCESSING_UPLOAD":
            return Reply(404, b"")
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("content-range", ""))
        if not match or not request.headers.get("content-type", "").startswith("video/"):
            return Reply(400, b"")
        first, last, total = (int(g) for g in match.groups())
        index = publish.next_chunk
        final = index == publish.chunks - 1
        expected_first = index * publish.chunk
        expected_last = publish.size - 1 if final else expected_first + publish.chunk - 1
        if (first, last, total) != (expected_first, expected_last, publish.size):
            return Reply(416, b"")  # chunks must come in order, with exact ranges
        if len(request.body) != last - first + 1:
            return Reply(400, b"")
        publish.received += len(request.body)
        publish.body += request.body[:64]
        publish.next_chunk += 1
        if not final:
            return Reply(206, b"")
        publish.status = "PROCESSING_DOWNLOAD"  # TikTok has the file: the post goes on
        return Reply(201, b"")

    def _status(self, publish: Publish) -> dict:
        if publish.status == "PROCESSING_DOWNLOAD":
            publish.polls += 1
            if publish.polls > self.processing_polls:
                self._complete(publish)
        data = {
            "status": publish.status,
            "uploaded_bytes": publish.received,
            "publicaly_available_post_id": [int(publish.post_id)] if publish.post_id else [],
        }
        if publish.fail_reason:
            data["fail_reason"] = publish.fail_reason
        return data

    def _complete(self, publish: Publish) -> None:
        if self.fail_reason:
            publish.status, publish.fail_reason = "FAILED", self.fail_reason
            return
        publish.status = "PUBLISH_COMPLETE"
        if publish.privacy != "SELF_ONLY":
            publish.post_id = str(next(self._ids))
            if publish.kind == "video":
                self.videos.append(
                    {
                        "id": publish.post_id,
                        "create_time": int(dt.datetime.now(dt.UTC).timestamp()),
                        "title": publish.title,
                        "video_description": publish.title,
                        "share_url": f"https://www.tiktok.com/@humaspoltekim/video/{publish.post_id}",
                    }
                )

    def finish_all(self) -> None:
        """Let every post in progress reach its outcome (TikTok works on without the client)."""
        for publish in self.publishes.values():
            if publish.status == "PROCESSING_DOWNLOAD":
                self._complete(publish)

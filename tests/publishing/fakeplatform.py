"""A test platform ("Papan Uji"): a small connector and its fake server, for the outbox tests.

It is no real service. The outbox tests need a platform whose every answer the test chooses —
busy, refused, the reply lost after the post was made, the reply lost before — and whose posts
can be counted, so that "exactly once" is something a test can see. The connector has the
shape of the real ones: one ``httpx`` client from ``platforms.http``, a bearer token from the
account's credentials, statuses mapped to ``Transient`` / ``Permanent`` / ``Ambiguous``.

The API (JSON):

- ``POST /v1/posts`` ``{"key", "title", "caption", "link"}`` → 201 ``{"id", "url"}``
- ``GET /v1/posts?key=…&since=…`` → ``{"data": [{"id", "url", "key", "created_at"}, …]}``
- ``PUT /v1/posts/<id>`` / ``DELETE /v1/posts/<id>``

What a status means to the connector: 429 and 503 (with ``Retry-After``) — busy, nothing
made; 401 — token refused; other 4xx — refused; other 5xx on a create — the outcome is
unknown (a gateway timing out after the service acted). The mapping of network errors is
``platforms.http.send``'s.

Docs followed: HTTPX's exception hierarchy (https://www.python-httpx.org/exceptions), the
``Retry-After`` header (RFC 9110 §10.2.3, https://www.rfc-editor.org/rfc/rfc9110#name-retry-after),
and Django Tasks' backport (https://github.com/RealOrangeOne/django-tasks).

Register both connectors with ``EXTRA_PLATFORMS`` as ``WARTA_EXTRA_PLATFORMS`` (in this
process with ``monkeypatch.setenv``, or in a worker's environment with ``PYTHONPATH`` holding
the project root).
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from dataclasses import dataclass

from tests.publishing.fakekit import FakeServer, Reply, Request
from warta.publishing.platforms import http
from warta.publishing.platforms.base import (
    Ambiguous,
    CredentialField,
    Permanent,
    Platform,
    Post,
    Remote,
    TokenExpired,
    Transient,
)

BOARD = "board"
BLIND_BOARD = "blindboard"
EXTRA_PLATFORMS = (
    f"{BOARD}=tests.publishing.fakeplatform.Board,"
    f"{BLIND_BOARD}=tests.publishing.fakeplatform.BlindBoard"
)
TOKEN = "papan-token-rahasia"
POSTS = r"/v1/posts"
ONE_POST = r"/v1/posts/(?P<id>\d+)"

# What the fake does with the next create (``BoardServer.script``):
OK = "ok"  # makes the post, answers 201
BUSY = "busy"  # 503 with Retry-After, makes nothing (Transient)
REFUSED = "refused"  # 422, makes nothing (Permanent)
LOST = "lost"  # makes the post, then a 504: the answer is lost (Ambiguous)
UNSENT = "unsent"  # a 504 without making anything (Ambiguous; reconciliation finds nothing)
OUTCOMES = (OK, BUSY, REFUSED, LOST, UNSENT)
# The connector's advice (a test platform's words, not translated).
RECONNECT_ADVICE = "Connect the Papan Uji account again."
REFUSED_ADVICE = "Fix the upload, then send it again."


# --- the connector ----------------------------------------------------------------------------
class Board(Platform):
    """The connector of the test platform."""

    code = BOARD
    name = "Papan Uji"
    caption_limit = 500
    can_update = True
    can_withdraw = True
    can_find = True
    credential_fields = (CredentialField("token", "Token"),)
    docs = "tests/publishing/fakeplatform.py"

    def _client(self):
        return http.client(
            self.account.base_url,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self.account.credentials.get('token', '')}"},
        )

    def _send(self, method: str, url: str, *, creates: bool, **kwargs):
        with self._client() as client:
            response = http.send(client, method, url, platform=self.name, creates=creates, **kwargs)
        status = response.status_code
        if status < 400:
            return http.json_or_empty(response)
        message = http.json_or_empty(response).get("error", "") or f"HTTP {status}"
        if status in (429, 503):
            raise Transient(message, retry_after=http.retry_after(response))
        if status == 401:
            raise TokenExpired(message, advice=RECONNECT_ADVICE)
        if status < 500:
            raise Permanent(message, advice=REFUSED_ADVICE)
        if creates:
            raise Ambiguous(message)
        raise Transient(message)

    def publish(self, post: Post) -> Remote:
        body = self._send(
            "POST",
            POSTS,
            creates=True,
            json={"key": post.key, "title": post.title, "caption": post.caption, "link": post.link},
        )
        return Remote(external_id=str(body["id"]), url=body["url"])

    def update(self, remote: Remote, post: Post) -> Remote:
        self._send(
            "PUT", f"{POSTS}/{remote.external_id}", creates=False, json={"caption": post.caption}
        )
        return remote

    def withdraw(self, remote: Remote) -> None:
        self._send("DELETE", f"{POSTS}/{remote.external_id}", creates=False)

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        body = self._send(
            "GET", POSTS, creates=False, params={"key": post.key, "since": since.isoformat()}
        )
        found = body.get("data") or []
        if not found:
            return None
        first = found[0]
        return Remote(external_id=str(first["id"]), url=first["url"])


class BlindBoard(Board):
    """The same platform without a way to look for a post (``find`` raises ``CannotCheck``)."""

    code = BLIND_BOARD
    name = "Papan Buta"
    can_find = False
    find = Platform.find


# --- the fake server ----------------------------------------------------------------------------
@dataclass
class FakePost:
    id: int
    key: str
    title: str
    caption: str
    created_at: dt.datetime
    deleted: bool = False


class BoardServer:
    """The fake service: keeps posts in memory; ``script`` says what the next creates do."""

    def __init__(self, *, token: str = TOKEN, retry_after: int = 0) -> None:
        self.fake = FakeServer()
        self.token = token
        self.retry_after = retry_after  # seconds announced by a busy answer
        self.posts: dict[int, FakePost] = {}
        self._outcomes: list[str] = []
        self._ids = itertools.count(7001)
        self._lock = threading.Lock()
        self.fake.route("POST", POSTS)(self._create)
        self.fake.route("GET", POSTS)(self._list)
        self.fake.route("PUT", ONE_POST)(self._update)
        self.fake.route("DELETE", ONE_POST)(self._delete)

    # --- for tests --------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.fake.url

    def start(self) -> BoardServer:
        self.fake.start()
        return self

    def stop(self) -> None:
        self.fake.stop()

    def script(self, *outcomes: str) -> None:
        """The next creates do ``outcomes`` in turn; after them, every create succeeds."""
        unknown = set(outcomes) - set(OUTCOMES)
        assert not unknown, unknown
        with self._lock:
            self._outcomes.extend(outcomes)

    def reset(self) -> None:
        with self._lock:
            self.posts.clear()
            self._outcomes.clear()
            self.fake.log.clear()

    def posts_for(self, key: str) -> list[FakePost]:
        return [p for p in self.posts.values() if p.key == key and not p.deleted]

    def post_url(self, post_id: int | str) -> str:
        return f"{self.url}/p/{post_id}"

    def creates(self) -> list[Request]:
        return self.fake.requests("POST", POSTS)

    def hold_next_create(self):
        """(handled, release): the next create is made, its answer waits (``fakekit``)."""
        return self.fake.hold_next("POST", POSTS)

    # --- the API ----------------------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        return request.bearer() == self.token

    def _next_outcome(self) -> str:
        with self._lock:
            return self._outcomes.pop(0) if self._outcomes else OK

    def _create(self, request: Request) -> Reply:
        if not self._authorised(request):
            return Reply(401, {"error": "token tidak berlaku"})
        body = request.json()
        if not body.get("key") or not body.get("caption"):
            return Reply(400, {"error": "key dan caption wajib"})
        outcome = self._next_outcome()
        if outcome == BUSY:
            return Reply(
                503, {"error": "sedang sibuk"}, headers={"Retry-After": str(self.retry_after)}
            )
        if outcome == REFUSED:
            return Reply(422, {"error": "unggahan ditolak"})
        if outcome == UNSENT:
            return Reply(504, {"error": "gateway timeout"})
        post = FakePost(
            id=next(self._ids),
            key=body["key"],
            title=body.get("title", ""),
            caption=body["caption"],
            created_at=dt.datetime.now(dt.UTC),
        )
        with self._lock:
            self.posts[post.id] = post
        if outcome == LOST:
            return Reply(504, {"error": "gateway timeout"})
        return Reply(201, {"id": post.id, "url": self.post_url(post.id)})

    def _list(self, request: Request) -> Reply:
        if not self._authorised(request):
            return Reply(401, {"error": "token tidak berlaku"})
        key = request.query.get("key", "")
        since = (
            dt.datetime.fromisoformat(request.query["since"]) if "since" in request.query else None
        )
        rows = [
            {
                "id": p.id,
                "url": self.post_url(p.id),
                "key": p.key,
                "created_at": p.created_at.isoformat(),
            }
            for p in sorted(self.posts.values(), key=lambda p: p.id)
            if p.key == key and not p.deleted and (since is None or p.created_at >= since)
        ]
        return Reply(200, {"data": rows})

    def _found(self, request: Request) -> FakePost | None:
        post = self.posts.get(int(request.params["id"]))
        return None if post is None or post.deleted else post

    def _update(self, request: Request) -> Reply:
        if not self._authorised(request):
            return Reply(401, {"error": "token tidak berlaku"})
        post = self._found(request)
        if post is None:
            return Reply(404, {"error": "tidak ada"})
        post.caption = request.json().get("caption", post.caption)
        return Reply(200, {"id": post.id, "url": self.post_url(post.id)})

    def _delete(self, request: Request) -> Reply:
        if not self._authorised(request):
            return Reply(401, {"error": "token tidak berlaku"})
        post = self._found(request)
        if post is None:
            return Reply(404, {"error": "tidak ada"})
        post.deleted = True
        return Reply(200, {"deleted": True})


def make_account(server: BoardServer, *, code: str = BOARD, platform: str = BOARD, **fields):
    """An API-mode channel account on the test platform, pointing at ``server``."""
    from warta.publishing.models import ChannelAccount
    from warta.publishing.secrets import seal

    defaults = {
        "name": "Papan Uji" if platform == BOARD else "Papan Buta",
        "platform": platform,
        "mode": ChannelAccount.Mode.API,
        "base_url": server.url,
        "credentials": seal({"token": server.token}),
        "position": 50,
    }
    account, _created = ChannelAccount.objects.update_or_create(
        code=code, defaults={**defaults, **fields}
    )
    return account

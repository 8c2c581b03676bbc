"""A local stand-in for the Meta Graph API: one Facebook Page and one Instagram professional
account, built from the official documents the connectors cite (``warta.publishing.platforms.
facebook`` / ``instagram`` / ``meta``).

It enforces what those documents say: the access token (``access_token`` parameter; unknown →
190/467, expired → 190/463), the Page photo size (under 10 MB), ``attached_media`` that must
name unpublished photos of the Page, Instagram captions (2,200 characters, 30 hashtags, 20 @
tags), JPEG-only images under 8 MiB fetched from their public URL (9004/2207052 when the URL
does not answer), alt text only on images, carousels of 2-10 items without captions on the
items, containers that must be ``FINISHED`` before ``media_publish`` (9007/2207027), the
publishing limit per 24 hours (9/2207042), and Graph's error body
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.

Media "on the public web" are served by the fake itself: ``host(name, data, content_type)``
returns the URL Instagram is to fetch.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
import re
import threading

from tests.publishing.fakekit import FakeServer, Reply, Request

V = r"/v\d+\.\d+"
NODE = r"(?P<node>[A-Za-z0-9_]+)"
PAGE_TOKEN = "page-token"
IG_TOKEN = "ig-token"
EXPIRED_TOKEN = "expired-token"


def graph_error(
    code: int, message: str, *, subcode: int | None = None, status: int = 400, kind: str = ""
) -> Reply:
    error = {
        "message": message,
        "type": kind or ("OAuthException" if code in (102, 190) else "GraphMethodException"),
        "code": code,
        "fbtrace_id": "AbCdEf123",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Reply(status, {"error": error})


def rate_limited(code: int = 32, *, minutes: int = 7, node: str = "1000") -> Reply:
    """A throttled answer with the documented usage header."""
    usage = {
        node: [
            {
                "type": "pages" if code in (32, 80001) else "instagram",
                "call_count": 100,
                "total_cputime": 25,
                "total_time": 25,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    reply = graph_error(code, f"(#{code}) Application request limit reached")
    reply.headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
    return reply


def gone() -> Reply:
    return graph_error(
        100,
        "Unsupported get request. Object does not exist, cannot be loaded due to missing "
        "permissions, or does not support this operation.",
        subcode=33,
    )


def jpeg_bytes(color=(200, 40, 40), size=(64, 48)) -> bytes:
    """A small real JPEG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (0, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


# The first bytes of an MP4 (an ``ftyp`` box); the fake does not decode video.
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeMeta:
    """State and routes of the fake Graph API."""

    page_id = "1000"
    ig_id = "17841400000000001"

    def __init__(self) -> None:
        self.server = FakeServer()
        self.ids = itertools.count(5001)
        self.lock = threading.Lock()
        self.tokens: dict[str, dict] = {
            PAGE_TOKEN: {"type": "PAGE", "expires_at": 0, "node": self.page_id},
            IG_TOKEN: {"type": "USER", "expires_at": 1_900_000_000, "node": self.ig_id},
            EXPIRED_TOKEN: {"type": "PAGE", "expires_at": 1_600_000_000, "expired": True},
        }
        self.photos: dict[str, dict] = {}
        self.posts: dict[str, dict] = {}
        self.videos: dict[str, dict] = {}
        self.containers: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.hosted: dict[str, tuple[bytes, str]] = {}
        self.quota_total = 100
        self.page_cap = 100  # the most items one page of an edge holds
        self.video_polls = 2  # IN_PROGRESS answers before a Reel container is FINISHED
        self._routes()

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeMeta:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def host(self, name: str, data: bytes, content_type: str) -> str:
        self.hosted[name] = (data, content_type)
        return f"{self.url}/public/{name}"

    def next_id(self) -> str:
        with self.lock:
            return str(next(self.ids))

    # --- checks ---------------------------------------------------------------------------
    def auth(self, request: Request, node: str | None = None) -> Reply | None:
        params = {**request.query, **self.params(request)}
        token = params.get("access_token") or request.bearer()
        if not token:
            return graph_error(104, "An access token is required to request this resource.")
        info = self.tokens.get(token)
        if info is None:
            return graph_error(
                190, "Invalid OAuth access token - Cannot parse access token", subcode=467
            )
        if info.get("expired"):
            return graph_error(
                190,
                "Error validating access token: Session has expired on Friday, 01-Jan-21.",
                subcode=463,
            )
        if node is not None and info.get("node") != node:
            return graph_error(
                200, "(#200) The user hasn't authorized the application to perform this action"
            )
        return None

    @staticmethod
    def params(request: Request) -> dict[str, str]:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            parts = {k: v[1].decode() for k, v in request.multipart().items() if not v[0]}
            return {**request.query, **parts}
        if request.method in ("POST", "DELETE") and request.body:
            return request.form()
        return dict(request.query)

    def fetch(self, url: str) -> tuple[bytes, str] | None:
        prefix = f"{self.url}/public/"
        if not url.startswith(prefix):
            return None
        return self.hosted.get(url[len(prefix) :])

    # --- routes ---------------------------------------------------------------------------
    def _routes(self) -> None:
        route = self.server.route
        route("GET", r"/public/(?P<name>[\w.\-]+)")(self.public)
        route("GET", V + r"/debug_token")(self.debug_token)
        route("GET", V + r"/me")(self.me)
        route("POST", V + r"/(?P<page>\d+)/photos")(self.page_photos)
        route("POST", V + r"/(?P<page>\d+)/feed")(self.page_feed)
        route("GET", V + r"/(?P<page>\d+)/(?:posts|feed)")(self.page_posts)
        route("POST", V + r"/(?P<page>\d+)/videos")(self.page_videos_create)
        route("GET", V + r"/(?P<page>\d+)/videos")(self.page_videos)
        route("POST", V + r"/(?P<ig>\d+)/media")(self.ig_media_create)
        route("POST", V + r"/(?P<ig>\d+)/media_publish")(self.ig_publish)
        route("GET", V + r"/(?P<ig>\d+)/media")(self.ig_media_list)
        route("GET", V + r"/(?P<ig>\d+)/content_publishing_limit")(self.ig_limit)
        route("GET", V + "/" + NODE)(self.node_get)
        route("POST", V + "/" + NODE)(self.node_update)
        route("DELETE", V + "/" + NODE)(self.node_delete)

    def public(self, request: Request) -> Reply:
        found = self.hosted.get(request.params["name"])
        if not found:
            return Reply(404, "not found")
        return Reply(200, found[0], {"Content-Type": found[1]})

    def debug_token(self, request: Request) -> Reply:
        if fail := self.auth(request):
            return fail
        info = self.tokens.get(request.query.get("input_token", ""))
        if info is None:
            return graph_error(100, "(#100) The parameter input_token is required")
        return Reply(
            200,
            {
                "data": {
                    "app_id": "42",
                    "type": info["type"],
                    "is_valid": not info.get("expired"),
                    "expires_at": info["expires_at"],
                    "scopes": ["pages_manage_posts", "instagram_content_publish"],
                }
            },
        )

    def me(self, request: Request) -> Reply:
        if fail := self.auth(request):
            return fail
        return self.node_get(request, node=self.page_id)

    # --- Facebook Page --------------------------------------------------------------------
    def page_photos(self, request: Request) -> Reply:
        page = request.params["page"]
        if fail := self.auth(request, page):
            return fail
        form = self.params(request)
        parts = request.multipart()
        if "source" in parts:
            data = parts["source"][1]
        elif form.get("url"):
            found = self.fetch(form["url"])
            if found is None:
                return graph_error(324, "(#324) Missing or invalid image file")
            data = found[0]
        else:
            return graph_error(324, "(#324) Requires upload file")
        if len(data) >= 10 * 1024 * 1024:
            return graph_error(324, "(#324) The photo must be less than 10 MB")
        if not (data.startswith(b"\xff\xd8") or data.startswith(b"\x89PNG")):
            return graph_error(324, "(#324) Missing or invalid image file")
        photo_id = self.next_id()
        published = form.get("published", "true") != "false"
        photo = {
            "id": photo_id,
            "page": page,
            "published": published,
            "alt_text_custom": form.get("alt_text_custom", ""),
        }
        self.photos[photo_id] = photo
        if not published:
            return Reply(200, {"id": photo_id})
        post_id = self._new_post(page, form.get("message") or form.get("caption") or "", [photo_id])
        return Reply(200, {"id": photo_id, "post_id": post_id})

    def page_feed(self, request: Request) -> Reply:
        page = request.params["page"]
        if fail := self.auth(request, page):
            return fail
        form = self.params(request)
        attached = []
        for key in sorted(k for k in form if k.startswith("attached_media[")):
            try:
                media_id = json.loads(form[key])["media_fbid"]
            except (ValueError, KeyError, TypeError):
                return graph_error(100, "(#100) param attached_media must be an array of objects")
            photo = self.photos.get(media_id)
            if not photo or photo["page"] != page or photo["published"]:
                return graph_error(100, "(#100) Invalid media_fbid in attached_media")
            attached.append(media_id)
        if not form.get("message") and not attached and not form.get("link"):
            return graph_error(100, "(#100) Missing message or attachment")
        for media_id in attached:
            self.photos[media_id]["published"] = True
        return Reply(200, {"id": self._new_post(page, form.get("message", ""), attached)})

    def _new_post(self, page: str, message: str, photos: list[str], kind: str = "post") -> str:
        post_id = f"{page}_{self.next_id()}"
        self.posts[post_id] = {
            "id": post_id,
            "message": message,
            "photos": photos,
            "created_time": dt.datetime.now(dt.UTC),
            "kind": kind,
        }
        return post_id

    def page_posts(self, request: Request) -> Reply:
        page = request.params["page"]
        if fail := self.auth(request, page):
            return fail
        since = int(request.query.get("since") or 0)
        items = [
            self._post_json(post)
            for post in sorted(self.posts.values(), key=lambda p: p["created_time"], reverse=True)
            if post["id"].startswith(page + "_") and post["created_time"].timestamp() >= since
        ]
        return self._paged(request, items)

    def _post_json(self, post: dict) -> dict:
        return {
            "id": post["id"],
            "message": post["message"],
            "created_time": stamp(post["created_time"]),
            "permalink_url": f"https://www.facebook.com/{post['id'].replace('_', '/posts/')}",
        }

    def _paged(self, request: Request, items: list[dict]) -> Reply:
        limit = min(int(request.query.get("limit") or 25), self.page_cap)
        offset = int(request.query.get("offset") or 0)
        body: dict = {"data": items[offset : offset + limit]}
        if offset + limit < len(items):
            query = {k: v for k, v in request.query.items() if k != "offset"}
            query["offset"] = str(offset + limit)
            # Graph's next links carry the access token.
            query["access_token"] = request.query.get("access_token") or request.bearer()
            body["paging"] = {
                "next": f"{self.url}{request.path}?"
                + "&".join(f"{k}={v}" for k, v in query.items())
            }
        return Reply(200, body)

    def page_videos_create(self, request: Request) -> Reply:
        page = request.params["page"]
        if fail := self.auth(request, page):
            return fail
        form = self.params(request)
        parts = request.multipart()
        if "source" not in parts and not form.get("file_url"):
            return graph_error(100, "(#100) No file was uploaded")
        data = parts["source"][1] if "source" in parts else b""
        if len(data) > 1024**3:
            return graph_error(6000, "There was a problem uploading your video file")
        if data and data[4:8] != b"ftyp":
            return graph_error(
                352, "Sorry, the video file you selected is in a format that we don't support."
            )
        video_id = self.next_id()
        self.videos[video_id] = {
            "id": video_id,
            "page": page,
            "description": form.get("description", ""),
            "title": form.get("title", ""),
            "created_time": dt.datetime.now(dt.UTC),
        }
        return Reply(200, {"id": video_id})

    def page_videos(self, request: Request) -> Reply:
        page = request.params["page"]
        if fail := self.auth(request, page):
            return fail
        items = [
            self._video_json(video)
            for video in sorted(self.videos.values(), key=lambda v: v["created_time"], reverse=True)
            if video["page"] == page
        ]
        return self._paged(request, items)

    def _video_json(self, video: dict) -> dict:
        return {
            "id": video["id"],
            "description": video["description"],
            "created_time": stamp(video["created_time"]),
            "permalink_url": f"/{video['page']}/videos/{video['id']}/",
        }

    # --- Instagram ------------------------------------------------------------------------
    def ig_media_create(self, request: Request) -> Reply:
        ig = request.params["ig"]
        if fail := self.auth(request, ig):
            return fail
        form = self.params(request)
        caption = form.get("caption", "")
        if caption and (problem := self._caption_problem(caption)):
            return graph_error(100, f"(#100) {problem}")
        kind = form.get("media_type", "IMAGE")
        item = form.get("is_carousel_item") == "true"
        if item and caption:
            return graph_error(100, "(#100) caption is not supported on carousel items")
        if form.get("alt_text") and kind != "IMAGE":
            return graph_error(100, "(#100) alt_text is only supported for images")
        container = {"id": self.next_id(), "ig": ig, "caption": caption, "type": kind}
        container.update(status="FINISHED", detail="", polls=0, item=item)
        if kind == "CAROUSEL":
            children = [c for c in form.get("children", "").split(",") if c]
            if not 2 <= len(children) <= 10:
                return graph_error(100, "(#100) A carousel takes 2 to 10 children")
            for child in children:
                found = self.containers.get(child)
                if not found or not found["item"] or found["ig"] != ig:
                    return graph_error(100, "(#100) Invalid child container " + child)
            container["children"] = children
        elif kind in ("REELS", "VIDEO"):
            fetched = self.fetch(form.get("video_url", ""))
            if fetched is None:
                return graph_error(
                    9004, "The media could not be fetched from this uri", subcode=2207052
                )
            if fetched[0][4:8] != b"ftyp":
                container.update(status="ERROR", detail="Error: unsupported video format")
            else:
                container.update(status="IN_PROGRESS", polls=self.video_polls)
        elif kind == "IMAGE":
            fetched = self.fetch(form.get("image_url", ""))
            if fetched is None:
                return graph_error(
                    9004, "The media could not be fetched from this uri", subcode=2207052
                )
            data = fetched[0]
            if len(data) >= 8 * 1024 * 1024:
                return graph_error(36000, "The image size is too large.", subcode=2207004)
            if not data.startswith(b"\xff\xd8"):
                container.update(status="ERROR", detail="Error: the image format is not supported")
            elif not 0.8 <= self._ratio(data) <= 1.91:
                return graph_error(36003, "The aspect ratio is not supported.", subcode=2207009)
        else:
            return graph_error(100, "(#100) Invalid media_type")
        self.containers[container["id"]] = container
        return Reply(200, {"id": container["id"]})

    @staticmethod
    def _ratio(data: bytes) -> float:
        from PIL import Image

        width, height = Image.open(io.BytesIO(data)).size
        return width / height

    @staticmethod
    def _caption_problem(caption: str) -> str:
        if len(caption) > 2200:
            return "The caption is too long (maximum 2200 characters)."
        if len(re.findall(r"(?<![\w&])#\w+", caption)) > 30:
            return "The caption has too many hashtags (maximum 30)."
        if len(re.findall(r"(?<![\w])@[\w.]+", caption)) > 20:
            return "The caption has too many @ tags (maximum 20)."
        return ""

    def _published_last_day(self, ig: str) -> int:
        cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        return sum(1 for m in self.media.values() if m["ig"] == ig and m["timestamp"] >= cutoff)

    def ig_limit(self, request: Request) -> Reply:
        ig = request.params["ig"]
        if fail := self.auth(request, ig):
            return fail
        row = {"quota_usage": self._published_last_day(ig)}
        if "config" in request.query.get("fields", ""):
            row["config"] = {"quota_total": self.quota_total, "quota_duration": 86400}
        return Reply(200, {"data": [row]})

    def ig_publish(self, request: Request) -> Reply:
        ig = request.params["ig"]
        if fail := self.auth(request, ig):
            return fail
        creation = self.params(request).get("creation_id", "")
        container = self.containers.get(creation)
        if not container or container["ig"] != ig or container["item"]:
            return graph_error(100, "(#100) Invalid creation_id")
        if container["status"] == "PUBLISHED":
            return graph_error(9007, "The media has already been published", subcode=2207008)
        if container["status"] != "FINISHED":
            return graph_error(
                9007,
                "Media ID is not available: the media is not ready for publishing",
                subcode=2207027,
            )
        if self._published_last_day(ig) >= self.quota_total:
            return graph_error(
                9,
                "You reached maximum number of posts that is allowed to be published by "
                "Content Publishing API.",
                subcode=2207042,
            )
        container["status"] = "PUBLISHED"
        media_id = self.next_id()
        self.media[media_id] = {
            "id": media_id,
            "ig": ig,
            "caption": container["caption"],
            "type": container["type"],
            "timestamp": dt.datetime.now(dt.UTC),
            "children": container.get("children", []),
        }
        return Reply(200, {"id": media_id})

    def ig_media_list(self, request: Request) -> Reply:
        ig = request.params["ig"]
        if fail := self.auth(request, ig):
            return fail
        items = [
            self._media_json(m)
            for m in sorted(self.media.values(), key=lambda m: m["timestamp"], reverse=True)
            if m["ig"] == ig
        ]
        return self._paged(request, items)

    def _media_json(self, media: dict) -> dict:
        return {
            "id": media["id"],
            "caption": media["caption"],
            "timestamp": stamp(media["timestamp"]),
            "permalink": f"https://www.instagram.com/p/C{media['id']}/",
        }

    # --- nodes ----------------------------------------------------------------------------
    def node_get(self, request: Request, node: str | None = None) -> Reply:
        node = node or request.params["node"]
        if fail := self.auth(request):
            return fail
        if node == self.page_id:
            return Reply(200, {"id": node, "name": "Humas Kota Contoh"})
        if node == self.ig_id:
            return Reply(200, {"id": node, "username": "humaskotacontoh", "name": "Humas Kota"})
        if node in self.posts:
            return Reply(200, self._post_json(self.posts[node]))
        if node in self.videos:
            return Reply(200, self._video_json(self.videos[node]))
        if node in self.containers:
            container = self.containers[node]
            if container["status"] == "IN_PROGRESS":
                container["polls"] -= 1
                if container["polls"] <= 0:
                    container["status"] = "FINISHED"
                    return Reply(200, {"id": node, "status_code": "IN_PROGRESS", "status": ""})
            return Reply(
                200, {"id": node, "status_code": container["status"], "status": container["detail"]}
            )
        if node in self.media:
            return Reply(200, self._media_json(self.media[node]))
        return gone()

    def node_update(self, request: Request) -> Reply:
        node = request.params["node"]
        if fail := self.auth(request):
            return fail
        form = self.params(request)
        if node in self.posts:
            if "message" not in form:
                return graph_error(100, "(#100) Nothing to update")
            self.posts[node]["message"] = form["message"]
            return Reply(200, {"success": True})
        if node in self.videos:
            self.videos[node]["description"] = form.get("description", "")
            return Reply(200, {"success": True})
        if node in self.media:
            if set(form) - {"access_token", "comment_enabled"}:
                return graph_error(100, "(#100) Only comment_enabled can be updated")
            return Reply(200, {"success": True})
        return gone()

    def node_delete(self, request: Request) -> Reply:
        node = request.params["node"]
        if fail := self.auth(request):
            return fail
        for store in (self.posts, self.videos):
            if node in store:
                del store[node]
                return Reply(200, {"success": True})
        if node in self.media:
            del self.media[node]
            return Reply(200, {"success": True, "deleted_id": node})
        return gone()

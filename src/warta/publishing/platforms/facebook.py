"""Facebook Page connector (Graph API, a Page access token).

What it does and the documents it follows (read 2026-11):

- One photo: ``POST /{page-id}/photos`` with the file as ``source`` and the text as
  ``message``; several photos: each uploaded with ``published=false``, then one
  ``POST /{page-id}/feed`` with ``message`` and ``attached_media[n]={"media_fbid": …}``.
  Unpublished photos that are never attached are deleted by Facebook after about 24 hours, so
  uploading them again is harmless. https://developers.facebook.com/docs/pages-api/posts and
  https://developers.facebook.com/docs/graph-api/reference/page/photos/ (photos under 10 MB:
  https://developers.facebook.com/docs/graph-api/reference/photo/)
- Video: ``POST /{page-id}/videos`` on graph-video.facebook.com with the file as ``source``
  (the non-resumable protocol: at most 1 GB and 20 minutes; longer videos are refused before
  sending). https://developers.facebook.com/docs/graph-api/video-uploads
- Edit the text: ``POST /{post-id}`` with ``message`` (a video's ``POST /{video-id}`` with
  ``description``); remove: ``DELETE /{post-id}``; read back: ``GET /{post-id}?fields=
  permalink_url,created_time``. https://developers.facebook.com/docs/pages-api/posts
- Find: ``GET /{page-id}/posts?since=…&fields=message,created_time,permalink_url`` (videos:
  ``/{page-id}/videos`` and their ``description``) and compare the exact text.
- Errors: see ``meta.py``.

Facebook documents no length limit for a Page post's message in the Graph API reference; Warta
refuses texts over 63,206 characters (the figure Facebook's composer enforces) before sending.
"""

from __future__ import annotations

import datetime as dt
import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.platforms.base import (
    CredentialField,
    MediaFile,
    MediaRejected,
    Permanent,
    Post,
    Remote,
)
from warta.publishing.platforms.meta import GraphPlatform, parse_time

PHOTO_MAX_BYTES = 10 * 1024 * 1024  # "less than 10 MB"
VIDEO_MAX_BYTES = 1024**3  # non-resumable upload: 1 GB …
VIDEO_MAX_SECONDS = 20 * 60  # … and 20 minutes
FACEBOOK_WEB = "https://www.facebook.com"


class FacebookPage(GraphPlatform):
    code = "facebook"
    name = "Facebook"
    caption_limit = 63206
    max_photos = 10  # Warta's own cap: the API documents none for attached_media
    takes_video = True
    can_update = True
    can_withdraw = True
    can_find = True
    url_hosts = ("www.facebook.com", "facebook.com", "m.facebook.com", "web.facebook.com")
    credential_fields = (
        CredentialField(
            "access_token",
            gettext_lazy("Page access token"),
            help=gettext_lazy(
                "A Page access token with pages_manage_posts, pages_read_engagement and "
                "pages_show_list (and publish_video for videos)."
            ),
        ),
    )
    docs = "https://developers.facebook.com/docs/pages-api/posts"
    node_fields = "id,name"

    # --- publishing -----------------------------------------------------------------------
    def publish(self, post: Post) -> Remote:
        self._check_caption(post.caption)
        if post.video is not None:
            return self._publish_video(post, post.video)
        if not post.photos:
            return self._publish_text(post)
        if len(post.photos) > self.max_photos:
            raise Permanent(
                _("Facebook takes at most %(count)d photos in one post from Warta.")
                % {"count": self.max_photos},
                advice=_("Choose fewer photos for this channel."),
            )
        for photo in post.photos:
            self._check_photo(photo)
        if len(post.photos) == 1:
            body = self._upload_photo(post.photos[0], message=post.caption, published=True)
            post_id = str(body.get("post_id") or body.get("id"))
            return self._remote(post_id, extra={"photo_ids": [str(body.get("id"))]})
        # Unpublished uploads make nothing visible: a lost answer is safe to repeat.
        photo_ids = [
            str(self._upload_photo(photo, message="", published=False).get("id"))
            for photo in post.photos
        ]
        data = {"message": post.caption}
        for index, photo_id in enumerate(photo_ids):
            data[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        body = self._call("POST", f"{self.node}/feed", creates=True, data=data) or {}
        return self._remote(str(body.get("id")), extra={"photo_ids": photo_ids})

    def _publish_text(self, post: Post) -> Remote:
        data = {"message": post.caption}
        if post.link:
            data["link"] = post.link
        body = self._call("POST", f"{self.node}/feed", creates=True, data=data) or {}
        return self._remote(str(body.get("id")))

    def _upload_photo(self, photo: MediaFile, *, message: str, published: bool) -> dict:
        data = {"published": "true" if published else "false"}
        if message:
            data["message"] = message
        if photo.alt_text:
            data["alt_text_custom"] = photo.alt_text
        with photo.open() as stream:
            files = {"source": (photo.name, stream.read(), photo.content_type)}
        self.progress()
        return (
            self._call(
                "POST",
                f"{self.node}/photos",
                creates=published,
                data=data,
                files=files,
            )
            or {}
        )

    def _publish_video(self, post: Post, video: MediaFile) -> Remote:
        if video.size > VIDEO_MAX_BYTES or (video.duration or 0) > VIDEO_MAX_SECONDS:
            raise MediaRejected(
                _("The video is too large for Facebook from Warta (at most 1 GB and 20 minutes)."),
                advice=_("Upload a shorter or smaller video rendition, or post it by hand."),
            )
        data = {"description": post.caption}
        if post.title:
            data["title"] = post.title
        with video.open() as stream:
            files = {"source": (video.name, stream.read(), video.content_type)}
        self.progress()
        body = (
            self._call(
                "POST", f"{self.node}/videos", creates=True, data=data, files=files, video=True
            )
            or {}
        )
        return self._remote(str(body.get("id")), extra={"kind": "video"})

    # --- after publishing -----------------------------------------------------------------
    def update(self, remote: Remote, post: Post) -> Remote:
        self._check_caption(post.caption)
        field = "description" if remote.extra.get("kind") == "video" else "message"
        self._call("POST", remote.external_id, data={field: post.caption})
        return self._remote(remote.external_id, extra=dict(remote.extra))

    def withdraw(self, remote: Remote) -> None:
        # Removing something already gone is done.
        self._call("DELETE", remote.external_id, allow_gone=True)

    def status(self, remote: Remote) -> Remote | None:
        body = self._call(
            "GET",
            remote.external_id,
            params={"fields": "id,permalink_url,created_time"},
            allow_gone=True,
        )
        if body is None:
            return None
        return self._from_node(remote.external_id, body, extra=dict(remote.extra))

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        video = post.video is not None
        edge, text = ("videos", "description") if video else ("posts", "message")
        params = {
            "fields": f"id,{text},created_time,permalink_url",
            "since": int(since.timestamp()),
            "limit": 100,
        }
        wanted = post.caption.strip()
        for item in self._pages(f"{self.node}/{edge}", params):
            created = parse_time(str(item.get("created_time") or ""))
            if created is not None and created < since:
                continue
            if str(item.get(text) or "").strip() == wanted:
                extra = {"kind": "video"} if video else {}
                return self._from_node(str(item.get("id")), item, extra=extra)
        return None

    # --- helpers --------------------------------------------------------------------------
    def _remote(self, external_id: str, *, extra: dict | None = None) -> Remote:
        """The post just made, with its permalink read back. The post exists whatever
        happens now, so a failed read-back falls back to the id-based URL instead of
        raising (raising would make the worker publish it again)."""
        try:
            body = self._call(
                "GET", external_id, params={"fields": "id,permalink_url,created_time"}
            )
        except Exception:
            body = None
        return self._from_node(external_id, body or {}, extra=extra or {})

    def _from_node(self, external_id: str, body: dict, *, extra: dict) -> Remote:
        url = str(body.get("permalink_url") or "")
        if url.startswith("/"):
            url = FACEBOOK_WEB + url
        return Remote(
            external_id=external_id,
            url=url or f"{FACEBOOK_WEB}/{external_id}",
            published_at=parse_time(str(body.get("created_time") or "")),
            extra=extra,
        )

    def _check_caption(self, caption: str) -> None:
        if self.caption_length(caption) > self.caption_limit:
            raise Permanent(
                _("The text is longer than Facebook allows (%(limit)d characters).")
                % {"limit": self.caption_limit},
                advice=_("Shorten the text for this channel."),
            )

    def _check_photo(self, photo: MediaFile) -> None:
        if photo.size >= PHOTO_MAX_BYTES:
            raise MediaRejected(
                _("A photo is too large for Facebook (it must be under 10 MB)."),
                advice=_("Use a smaller rendition of the photo."),
            )

"""Instagram connector: the Instagram API with Facebook Login (graph.facebook.com).

Instagram pulls every photo and video from a public URL (``MediaFile.public_url``); nothing is
uploaded. What it does and the documents it follows (read 2026-11):

- Content publishing: create a container (``POST /{ig-user-id}/media`` with ``image_url``,
  ``caption`` and ``alt_text``; a carousel's items with ``is_carousel_item=true`` and then one
  ``media_type=CAROUSEL`` container with ``children``, at most 10; a Reel with
  ``media_type=REELS`` and ``video_url``), wait until ``GET /{container-id}?fields=status_code``
  says ``FINISHED`` (``ERROR`` = refused media, ``EXPIRED`` = start again), then
  ``POST /{ig-user-id}/media_publish`` with ``creation_id``. JPEG is the only image format.
  https://developers.facebook.com/docs/instagram-platform/content-publishing
- Caption: at most 2,200 characters, 30 hashtags and 20 @ tags; alt text for images only:
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/media
- Publishing limit (posts per moving 24 hours; a carousel counts as one), read before publishing:
  https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-user/content_publishing_limit
- The published media (``permalink``, ``timestamp``), editing (only ``comment_enabled``: the
  caption cannot be changed, so Warta cannot update a post) and deleting
  (``DELETE /{ig-media-id}``, needs ``instagram_manage_contents``):
  https://developers.facebook.com/docs/instagram-platform/reference/instagram-media
- Find: ``GET /{ig-user-id}/media?fields=caption,timestamp,permalink`` and compare captions.
- Errors: see ``meta.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.publishing.platforms.base import (
    CredentialField,
    MediaFile,
    MediaRejected,
    NotSupported,
    Permanent,
    Post,
    Remote,
    Transient,
)
from warta.publishing.platforms.meta import GraphPlatform, parse_time

HASHTAG_LIMIT = 30
MENTION_LIMIT = 20
PHOTO_MAX_BYTES = 8 * 1024 * 1024  # "less than 8 MiB" (error 2207004)
RATIO_MIN, RATIO_MAX = 0.8, 1.91  # 4:5 to 1.91:1 (error 2207009)
HASHTAG = re.compile(r"(?<![\w&])#\w+")
MENTION = re.compile(r"(?<![\w])@[\w.]+")


class Instagram(GraphPlatform):
    code = "instagram"
    name = "Instagram"
    caption_limit = 2200
    max_photos = 10
    takes_video = True
    can_update = False
    can_withdraw = True
    can_find = True
    needs_public_media = True
    url_hosts = ("www.instagram.com", "instagram.com")
    credential_fields = (
        CredentialField(
            "access_token",
            gettext_lazy("Access token"),
            help=gettext_lazy(
                "A long-lived User (or System User) access token from Facebook Login for "
                "Business with instagram_basic, instagram_content_publish, "
                "pages_read_engagement and, to remove posts, instagram_manage_contents."
            ),
        ),
    )
    docs = "https://developers.facebook.com/docs/instagram-platform/content-publishing"
    node_fields = "id,username,name"

    # --- publishing -----------------------------------------------------------------------
    def publish(self, post: Post) -> Remote:
        self._check_caption(post.caption)
        media = [post.video] if post.video is not None else list(post.photos)
        if not media:
            raise Permanent(
                _("Instagram needs at least one photo or a video."),
                advice=_("Add a photo or a video to the item for this channel."),
            )
        if len(media) > self.max_photos:
            raise Permanent(
                _("Instagram takes at most %(count)d photos in one post.")
                % {"count": self.max_photos},
                advice=_("Choose fewer photos for this channel."),
            )
        for item in media:
            self._check_media(item)
        self._check_quota()
        if post.video is not None:
            container = self._container(
                {"media_type": "REELS", "video_url": post.video.public_url, "caption": post.caption}
            )
        elif len(media) == 1:
            container = self._container(self._image(media[0], caption=post.caption))
        else:
            children = [
                self._container({**self._image(photo), "is_carousel_item": "true"})
                for photo in media
            ]
            for child in children:
                self._wait(child)
            container = self._container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": post.caption}
            )
        self._wait(container)
        body = self._call(
            "POST", f"{self.node}/media_publish", creates=True, data={"creation_id": container}
        )
        media_id = str((body or {}).get("id"))
        return self._remote(media_id, container)

    def _image(self, photo: MediaFile, *, caption: str = "") -> dict:
        fields = {"image_url": photo.public_url}
        if caption:
            fields["caption"] = caption
        if photo.alt_text:
            fields["alt_text"] = photo.alt_text
        return fields

    def _container(self, fields: dict) -> str:
        # A container is not a post: a lost answer leaves at most an unused container that
        # expires, so it is safe to send again.
        body = self._call("POST", f"{self.node}/media", creates=False, data=fields) or {}
        self.progress()
        return str(body.get("id"))

    def _wait(self, container: str) -> None:
        """Poll the container until it is ready; bounded by ``poll_max`` polls."""
        interval = float(self.account.options.get("poll_interval", "5"))
        polls = int(self.account.options.get("poll_max", "60"))
        for attempt in range(polls):
            body = self._call("GET", container, params={"fields": "status_code,status"}) or {}
            state = str(body.get("status_code") or "")
            if state in ("FINISHED", "PUBLISHED"):
                return
            if state == "ERROR":
                raise MediaRejected(
                    _("Instagram could not use a photo or video (%(detail)s).")
                    % {"detail": body.get("status") or state},
                    advice=_(
                        "Check the media's format, size and length against the platform's limits."
                    ),
                )
            if state == "EXPIRED":
                raise Transient(_("Instagram let the prepared media expire before publishing."))
            self.progress()
            if attempt + 1 < polls:
                time.sleep(interval)
        raise Transient(
            _("Instagram is still processing the media; Warta tries again later."),
            advice=_("Nothing was published yet."),
        )

    def _check_quota(self) -> None:
        """Refuse early when the account's publishing limit is used up."""
        body = self._call(
            "GET",
            f"{self.node}/content_publishing_limit",
            params={"fields": "quota_usage,config"},
        )
        rows = (body or {}).get("data") or []
        if not rows:
            return
        usage = rows[0].get("quota_usage") or 0
        config = rows[0].get("config") or {}
        total = config.get("quota_total")
        if isinstance(total, int) and usage >= total:
            duration = config.get("quota_duration") or 86400
            raise Transient(
                _("Instagram's limit of %(total)d posts per 24 hours for this account is used up.")
                % {"total": total},
                advice=_("Warta tries again later; nothing was published."),
                retry_after=float(duration) / 24,
            )

    # --- after publishing -----------------------------------------------------------------
    def update(self, remote: Remote, post: Post) -> Remote:
        raise NotSupported(
            _("Instagram does not allow changing a published post's caption or media."),
            advice=_("Correct the post by hand in the Instagram app."),
        )

    def withdraw(self, remote: Remote) -> None:
        self._call("DELETE", remote.external_id, allow_gone=True)

    def status(self, remote: Remote) -> Remote | None:
        body = self._call(
            "GET", remote.external_id, params={"fields": "id,permalink,timestamp"}, allow_gone=True
        )
        if body is None:
            return None
        return self._from_node(remote.external_id, body, extra=dict(remote.extra))

    def find(self, post: Post, since: dt.datetime) -> Remote | None:
        wanted = post.caption.strip()
        params = {"fields": "id,caption,timestamp,permalink", "limit": 50}
        for item in self._pages(f"{self.node}/media", params):
            when = parse_time(str(item.get("timestamp") or ""))
            if when is not None and when < since:
                return None  # newest first: everything after is older
            if str(item.get("caption") or "").strip() == wanted:
                return self._from_node(str(item.get("id")), item, extra={})
        return None

    # --- helpers --------------------------------------------------------------------------
    def caption_problem(self, caption: str) -> str:
        """Why Instagram would refuse ``caption``; empty when it is fine."""
        if self.caption_length(caption) > self.caption_limit:
            return _("The caption is longer than Instagram allows (%(limit)d characters).") % {
                "limit": self.caption_limit
            }
        if len(HASHTAG.findall(caption)) > HASHTAG_LIMIT:
            return _("The caption has more than %(limit)d hashtags.") % {"limit": HASHTAG_LIMIT}
        if len(MENTION.findall(caption)) > MENTION_LIMIT:
            return _("The caption mentions more than %(limit)d accounts.") % {
                "limit": MENTION_LIMIT
            }
        return ""

    def _check_caption(self, caption: str) -> None:
        problem = self.caption_problem(caption)
        if problem:
            raise Permanent(problem, advice=_("Shorten the caption for this channel."))

    def _check_media(self, item: MediaFile) -> None:
        if not item.public_url:
            raise Permanent(
                _("Instagram fetches media from a public address, and this file has none."),
                advice=_("Publish the item on the website first, then try again."),
            )
        if item.kind == "photo" and item.content_type != "image/jpeg":
            raise MediaRejected(
                _("Instagram only takes JPEG photos."),
                advice=_("Use the JPEG rendition of the photo."),
            )
        if (
            item.kind == "photo"
            and item.width
            and item.height
            and not RATIO_MIN <= item.width / item.height <= RATIO_MAX
        ):
            raise MediaRejected(
                _("Instagram takes photos from 4:5 (portrait) to 1.91:1 (landscape) only."),
                advice=_("Crop the photo or choose another one for this channel."),
            )
        if item.kind == "photo" and item.size >= PHOTO_MAX_BYTES:
            raise MediaRejected(
                _("A photo is too large for Instagram (it must be under 8 MB)."),
                advice=_("Use a smaller rendition of the photo."),
            )

    def _remote(self, media_id: str, container: str) -> Remote:
        """The media just published, with its permalink read back; never raises, since the
        post exists (raising would make the worker publish it again)."""
        try:
            body = self._call("GET", media_id, params={"fields": "id,permalink,timestamp"})
        except Exception:
            body = None
        return self._from_node(media_id, body or {}, extra={"container_id": container})

    def _from_node(self, media_id: str, body: dict, *, extra: dict) -> Remote:
        return Remote(
            external_id=media_id,
            url=str(body.get("permalink") or ""),
            published_at=parse_time(str(body.get("timestamp") or "")),
            extra=extra,
        )

"""What is published: the one place that answers it, for the public site, its feeds and sitemap.

An item is published once the publish service gave it a web address and a publication time;
nothing else (a draft, an item refused or still under review) may leave these functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from warta.media.models import Rendition
from warta.newsroom.models import NewsItem, Photo, Revision, Video
from warta.publishing.models import ChannelAccount, Publication

WEBSITE = "website"


def _published(prefix: str = "") -> Q:
    """Published: a publication time and a web address (an item without a slug cannot be
    linked to, so it is not published either). ``prefix`` reaches the item from a related
    model (``"item__"``)."""
    return Q(**{f"{prefix}published_at__isnull": False, f"{prefix}slug__isnull": False}) & ~Q(
        **{f"{prefix}slug": ""}
    )


def published_items() -> QuerySet[NewsItem]:
    """Every published item, newest first. Unpublished items must never leave this function."""
    return NewsItem.objects.filter(_published()).order_by("-published_at", "-pk")


def published_items_with_media() -> QuerySet[NewsItem]:
    """``published_items`` with their photos and videos, each row with its asset, and the
    assets' renditions: four more queries, however many media an item has."""
    return published_items().prefetch_related(
        Prefetch("photos", queryset=Photo.objects.select_related("asset")),
        "photos__asset__renditions",
        Prefetch("videos", queryset=Video.objects.select_related("asset")),
        "videos__asset__renditions",
    )


def published_renditions() -> QuerySet[Rendition]:
    """The renditions of the photos and videos of published items: the only media files the
    public may fetch. An original is never among them (it is not a rendition); every rendition
    of a published item's asset is (its poster candidates too: frames of a published video)."""
    return Rendition.objects.filter(
        _published("asset__news_photo__item__") | _published("asset__news_video__item__")
    )


def publications_of(item_id: int) -> QuerySet[Publication]:
    """Where one item was published, in the order the channels were recorded."""
    return Publication.objects.filter(item_id=item_id).order_by("pk")


# --- the channel pages ----------------------------------------------------------------------
# (added for the channel pages: accounts, per-channel texts and previews, publication status)


def _platform(code: str):
    """The connector class of a platform code; None when it is unknown or cannot load."""
    from warta.publishing.platforms import platform_class

    try:
        return platform_class(code)
    except (KeyError, ImportError):
        return None


@dataclass
class AccountRow:
    """One channel account as the accounts page lists it."""

    account: ChannelAccount
    token: str  # "" (unknown / no token), "ok", "soon", "expired"
    days_left: int | None


def token_state(account: ChannelAccount, now: dt.datetime | None = None) -> tuple[str, int | None]:
    """("expired" | "soon" | "ok" | "", days left): "soon" within
    ``WARTA_TOKEN_WARNING_DAYS`` days of the token's expiry."""
    expires = account.token_expires_at
    if expires is None:
        return "", None
    now = now or timezone.now()
    left = expires - now
    days = left.days
    if left <= dt.timedelta(0):
        return "expired", days
    if left <= dt.timedelta(days=settings.WARTA_TOKEN_WARNING_DAYS):
        return "soon", days
    return "ok", days


def account_rows() -> list[AccountRow]:
    """Every channel account (active first), with its token's state."""
    accounts = ChannelAccount.objects.select_related("connected_by").order_by(
        "-active", "position", "name", "pk"
    )
    now = timezone.now()
    return [AccountRow(account, *token_state(account, now)) for account in accounts]


def social_targets(item: NewsItem) -> list[ChannelAccount]:
    """The active accounts ``item`` targets other than the website, in the accounts' order."""
    codes = [code for code in (item.channels or ()) if code != WEBSITE]
    return list(
        ChannelAccount.objects.filter(code__in=codes, active=True)
        .exclude(platform=WEBSITE)
        .order_by("position", "name", "pk")
    )


@dataclass
class PreviewPhoto:
    asset_id: int
    spec: str
    url: str
    alt: str
    width: int
    height: int
    download_name: str


@dataclass
class ChannelPreview:
    """How ``item`` will look on one account: its caption, photos in the platform's rendition,
    the video's poster."""

    account: ChannelAccount
    platform_name: str
    caption: str
    caption_limit: int
    photos: list[PreviewPhoto] = field(default_factory=list)
    video_poster: str = ""
    video_url: str = ""
    video_download_name: str = ""
    hashtags: str = ""

    @property
    def carousel(self) -> bool:
        return self.account.platform == "instagram" and len(self.photos) > 1

    @property
    def video_first(self) -> bool:
        return self.account.platform in VIDEO_PLATFORMS

    @property
    def over_limit(self) -> bool:
        return bool(self.caption_limit) and len(self.caption) > self.caption_limit


VIDEO_PLATFORMS = frozenset({"youtube", "tiktok"})


def _draft_url(asset_id: int, spec: str) -> str:
    return reverse("newsroom:media_file", args=[asset_id, spec])


@dataclass
class PreviewMedia:
    """What every preview of one item shows, read once: its photos in order (asset and
    renditions loaded), its first video, and the texts Staf Humas set per account."""

    photos: list
    video: Any
    texts: dict[int, str]


def preview_media(item: NewsItem) -> PreviewMedia:
    """The item's photos, first video and channel texts in three or four queries, however many
    accounts are previewed."""
    from warta.publishing.models import ChannelText

    prefetched = getattr(item, "_prefetched_objects_cache", {})
    if "photos" in prefetched and "videos" in prefetched:
        # The page already read them (``newsroom.selectors.MEDIA_PREFETCH``), in the models'
        # order (photos by position, videos by pk).
        photos = list(item.photos.all())
        video = next(iter(item.videos.all()), None)
    else:
        photos = list(
            item.photos.select_related("asset")
            .prefetch_related("asset__renditions")
            .order_by("position", "pk")
        )
        video = item.videos.select_related("asset").prefetch_related("asset__renditions").first()
    texts = dict(ChannelText.objects.filter(item=item).values_list("account_id", "text"))
    return PreviewMedia(photos=photos, video=video, texts=texts)


def channel_preview(
    item: NewsItem, account: ChannelAccount, media: PreviewMedia | None = None
) -> ChannelPreview:
    """What a post of ``item`` on ``account`` will carry (draft media URLs, for staff). Pass
    ``media`` (:func:`preview_media`) when previewing several accounts of one item."""
    from warta.media.selectors import poster, renditions_of, web_video
    from warta.publishing.channels import PLATFORM_NAMES
    from warta.publishing.posts import DEFAULT_PHOTO_SPEC, PHOTO_SPEC, default_caption

    media = media or preview_media(item)
    platform = _platform(account.platform)
    caption = ""
    if platform is not None:
        saved = media.texts.get(account.pk, "")
        caption = saved if saved.strip() else default_caption(item, account)
    preview = ChannelPreview(
        account=account,
        platform_name=str(PLATFORM_NAMES.get(account.platform, account.platform)),
        caption=caption,
        caption_limit=platform.caption_limit if platform is not None else 0,
        hashtags=str((account.options or {}).get("hashtags", "")).strip(),
    )
    max_photos = platform.max_photos if platform is not None else 10
    if max_photos:
        wanted = PHOTO_SPEC.get(account.platform, DEFAULT_PHOTO_SPEC)
        for row in media.photos[:max_photos]:
            found = renditions_of(row.asset)
            rendition = found.get(wanted) or found.get(DEFAULT_PHOTO_SPEC)
            if rendition is None:
                continue
            extension = rendition.file.name.rsplit(".", 1)[-1] if rendition.file else "jpg"
            preview.photos.append(
                PreviewPhoto(
                    asset_id=row.asset_id,
                    spec=rendition.spec,
                    url=_draft_url(row.asset_id, rendition.spec),
                    alt=row.asset.alt_text,
                    width=rendition.width,
                    height=rendition.height,
                    download_name=f"warta-{item.pk}-{row.asset_id}-{rendition.spec}.{extension}",
                )
            )
    if platform is None or platform.takes_video:
        row = media.video
        if row is not None:
            frame = poster(row.asset)
            if frame is not None:
                preview.video_poster = _draft_url(row.asset_id, frame.spec)
            video = web_video(row.asset)
            if video is not None:
                preview.video_url = _draft_url(row.asset_id, video.spec)
                preview.video_download_name = f"warta-{item.pk}-{row.asset_id}.mp4"
    return preview


def channel_previews(item: NewsItem) -> list[ChannelPreview]:
    targets = social_targets(item)
    if not targets:
        return []
    media = preview_media(item)
    return [channel_preview(item, account, media) for account in targets]


def public_links(item: NewsItem) -> list[tuple[str, str]]:
    """(account name, post URL) of the item's posts outside the website: the latest revision
    published on each account, unless it was withdrawn since."""
    rows = (
        Publication.objects.filter(item=item)
        .exclude(channel=WEBSITE)
        .exclude(account__platform=WEBSITE)
        .select_related("account")
        .order_by("account__position", "account_id", "-revision", "-pk")
    )
    links, seen = [], set()
    for row in rows:
        if row.account_id in seen:
            continue
        if row.operation == Publication.Operation.WITHDRAW and row.state in (
            Publication.State.QUEUED,
            Publication.State.PUBLISHING,
            Publication.State.NEEDS_MANUAL,
        ):
            # A removal under way: the post may still be there, but the news is withdrawn.
            seen.add(row.account_id)
            continue
        if (
            row.state == Publication.State.WITHDRAWN
            or row.operation == Publication.Operation.WITHDRAW
        ):
            seen.add(row.account_id)
            continue
        if row.state != Publication.State.PUBLISHED or not row.url:
            continue  # an attempt at a newer revision that is not through: an older one may be
        seen.add(row.account_id)
        links.append((row.account.name if row.account else row.channel, row.url))
    return links


def item_publications(item: NewsItem) -> list[Publication]:
    """Every publication of ``item``, newest revision first, each with its account; each one's
    ``item`` is ``item`` itself (load its ``case__sop`` once, the actor checks read them)."""
    rows = list(
        Publication.objects.filter(item=item)
        .select_related("account", "screenshot", "step_run")
        .order_by("-revision", "operation", "account__position", "pk")
    )
    for row in rows:
        row.item = item
    return rows


def publishing_roles(item: NewsItem) -> set[str]:
    """The roles of the steps of the item's SOP that publish (``uses: publishing.publish``)."""
    from warta.publishing.services import PUBLISH_CAPABILITY

    definition = item.case.sop.definition()
    return {
        step.actor for step in definition.steps if step.uses == PUBLISH_CAPABILITY and step.actor
    }


def public_versions(items: list[NewsItem]) -> None:
    """Show the public the version of each of ``items`` that was last published on the website:
    ``title`` and ``body`` are replaced in memory and ``public_assets`` holds the asset ids
    published (None when no publication recorded its version: the item is shown as it is).
    The item's own fields may hold more than was published — a correction running through the
    SOP again, or one that ended without being published (refused): the public never sees that
    draft. Two queries for any number of items (none for none)."""
    from warta.publishing.platforms.website import PUBLIC_VERSION

    by_id = {item.pk: item for item in items}
    for item in items:
        item.public_assets = None
    if not by_id:
        return
    # Selected by item alone, the rest checked here: a state or operation in the query lets
    # SQLite's planner (without statistics) prefer the index on ``state``, which nearly every
    # row shares, and read all publications (27 ms at ten years instead of well under one).
    rows = (
        Publication.objects.filter(item_id__in=by_id, account__platform=WEBSITE)
        .order_by("item_id", "-revision", "-pk")
        .values_list("item_id", "state", "operation", "extra")
    )
    versions = {}
    for item_id, state, operation, extra in rows:
        if state != Publication.State.PUBLISHED or operation == Publication.Operation.WITHDRAW:
            continue
        version = (extra or {}).get(PUBLIC_VERSION)
        if item_id not in versions and version:
            versions[item_id] = version
    # The text is named by its saved revision (older publications carry it themselves).
    named = [version["revision"] for version in versions.values() if "revision" in version]
    texts = {
        pk: (title, body)
        for pk, title, body in Revision.objects.filter(pk__in=named).values_list(
            "pk", "title", "body"
        )
    }
    for item_id, version in versions.items():
        text = texts.get(version.get("revision")) or (version.get("title"), version.get("body"))
        if None in text:  # a version naming no text there is: the item as it is
            continue
        item = by_id[item_id]
        item.title, item.body = text
        item.public_assets = {*version.get("photos", []), *version.get("videos", [])}
        item.public_cover = version.get("cover")

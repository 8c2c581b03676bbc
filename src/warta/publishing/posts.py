"""What is sent to a channel account: the item's text for that account and the renditions that
suit the platform, as a ``platforms.base.Post``."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.text import Truncator

from warta.media.models import Rendition
from warta.media.selectors import renditions_of, web_video
from warta.newsroom.models import NewsItem
from warta.publishing.models import ChannelAccount, ChannelText, Publication
from warta.publishing.platforms import platform_class
from warta.publishing.platforms.base import AccountConfig, MediaFile, Platform, Post

# The photo rendition each platform gets (media.images.PHOTO_SPECS): Instagram and TikTok want
# portrait 4:5, Facebook and X a 16:9 landscape crop, the websites the full web JPEG.
PHOTO_SPEC = {
    "instagram": "ig-portrait",
    "tiktok": "ig-portrait",
    "facebook": "landscape",
    "x": "landscape",
}
DEFAULT_PHOTO_SPEC = "web-jpeg"
# Platforms whose captions carry the article's link (it is clickable there).
LINKING_PLATFORMS = frozenset({"facebook", "x"})


def post_key(item_id: int, account: ChannelAccount) -> str:
    """Warta's identifier of ``item`` on ``account``, the same for every attempt and revision."""
    return f"warta-{item_id}-{account.pk}"


def article_url(item: NewsItem) -> str:
    if not item.slug:
        return ""
    return settings.WARTA_SITE_URL.rstrip("/") + reverse("site:article", args=[item.slug])


def connector(account: ChannelAccount, **kwargs) -> Platform:
    """The platform object for ``account`` without its credentials (for counting, limits)."""
    config = AccountConfig(code=account.code, name=account.name, platform=account.platform)
    return platform_class(account.platform)(config, **kwargs)


def caption_limit(account: ChannelAccount) -> int:
    return platform_class(account.platform).caption_limit


def caption_length(account: ChannelAccount, text: str) -> int:
    return connector(account).caption_length(text)


def default_caption(item: NewsItem, account: ChannelAccount) -> str:
    """Title, lead and the account's hashtags (and the article's link where links work),
    shortened to fit the platform's limit: the lead gives way first."""
    from warta.site.selectors import plain_text

    limit = caption_limit(account)
    if not limit:
        return ""
    tail = []
    if account.platform in LINKING_PLATFORMS and item.slug:
        tail.append(article_url(item))
    hashtags = str(account.options.get("hashtags", "")).strip()
    if hashtags:
        tail.append(hashtags)
    lead = plain_text(item.body)

    def compose(lead_text: str) -> str:
        return "\n\n".join(part for part in (item.title, lead_text, *tail) if part)

    text = compose(lead)
    words = len(lead.split())
    while words and caption_length(account, text) > limit:
        words = words * 3 // 4 if words > 8 else words - 1
        text = compose(Truncator(lead).words(words, truncate="…") if words else "")
    if caption_length(account, text) > limit:
        text = Truncator(text).chars(limit)
    return text


def caption_for(item: NewsItem, account: ChannelAccount) -> str:
    """The text Staf Humas set for ``account``, else the prefilled one."""
    saved = ChannelText.objects.filter(item=item, account=account).first()
    return saved.text if saved and saved.text.strip() else default_caption(item, account)


def _public_url(rendition: Rendition) -> str:
    from warta.site.views import rendition_url

    return settings.WARTA_SITE_URL.rstrip("/") + rendition_url(rendition)


def _media_file(rendition: Rendition, *, kind: str, name: str, asset) -> MediaFile:
    return MediaFile(
        kind=kind,
        name=name,
        content_type=rendition.content_type,
        size=rendition.size,
        open=lambda: rendition.file.open("rb"),
        public_url=_public_url(rendition),
        alt_text=asset.alt_text,
        caption=asset.caption,
        width=rendition.width,
        height=rendition.height,
        duration=(asset.info or {}).get("duration") if kind == "video" else None,
    )


def media_for(
    item: NewsItem, platform: type[Platform]
) -> tuple[tuple[MediaFile, ...], MediaFile | None]:
    """The photos (in the item's order, at most the platform's number) and the web video."""
    photos: list[MediaFile] = []
    if platform.max_photos:
        spec = PHOTO_SPEC.get(platform.code, DEFAULT_PHOTO_SPEC)
        rows = item.photos.select_related("asset").order_by("position", "pk")
        for row in rows[: platform.max_photos]:
            rendition = renditions_of(row.asset).get(spec) or renditions_of(row.asset).get(
                DEFAULT_PHOTO_SPEC
            )
            if rendition is not None:
                name = f"warta-{item.pk}-{row.asset_id}.{rendition.file.name.rsplit('.', 1)[-1]}"
                photos.append(_media_file(rendition, kind="photo", name=name, asset=row.asset))
    video = None
    if platform.takes_video:
        row = item.videos.select_related("asset").first()
        rendition = web_video(row.asset) if row else None
        if rendition is not None:
            video = _media_file(
                rendition, kind="video", name=f"warta-{item.pk}-{row.asset_id}.mp4", asset=row.asset
            )
    return tuple(photos), video


def build_post(publication: Publication) -> Post:
    """The post ``publication`` sends, from the item as it is now."""
    from warta.site.selectors import excerpt

    item = publication.item
    account = publication.account
    platform = platform_class(account.platform)
    photos, video = media_for(item, platform)
    return Post(
        key=post_key(item.pk, account),
        title=item.title,
        caption=publication.caption or caption_for(item, account),
        body_html=item.body,
        excerpt=excerpt(item.body),
        link=article_url(item),
        photos=photos,
        video=video,
        tags=tuple(t for t in str(account.options.get("tags", "")).split(",") if t.strip()),
        categories=tuple(
            c.strip() for c in str(account.options.get("categories", "")).split(",") if c.strip()
        ),
        author=item.created_by.get_username() if item.created_by_id else "",
        revision=publication.revision,
        item_id=item.pk,
    )

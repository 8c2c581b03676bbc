"""What is published: the one place that answers it, for the public site, its feeds and sitemap.

An item is published once the publish service gave it a web address and a publication time;
nothing else (a draft, an item refused or still under review) may leave these functions.
"""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from warta.media.models import Rendition
from warta.newsroom.models import NewsItem, Photo, Video
from warta.publishing.models import Publication


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

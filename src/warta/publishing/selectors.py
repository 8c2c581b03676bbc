"""What is published: the one place that answers it, for the public site, its feeds and sitemap.

An item is published once the publish service gave it a web address and a publication time;
nothing else (a draft, an item refused or still under review) may leave these functions.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

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


def published_photos() -> QuerySet[Photo]:
    """The photos of published items (the only media the public may fetch)."""
    return Photo.objects.filter(_published("item__"))


def published_videos() -> QuerySet[Video]:
    """The videos of published items."""
    return Video.objects.filter(_published("item__"))


def publications_of(item_id: int) -> QuerySet[Publication]:
    """Where one item was published, in the order the channels were recorded."""
    return Publication.objects.filter(item_id=item_id).order_by("pk")

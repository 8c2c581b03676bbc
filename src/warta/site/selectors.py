"""What the public website may show: published news items only, and helpers to present them."""

from __future__ import annotations

import html

from django.conf import settings
from django.db.models import QuerySet
from django.utils.html import strip_tags
from django.utils.text import Truncator

from warta.newsroom.models import NewsItem, Photo, Video

EXCERPT_WORDS = 30


def published_items() -> QuerySet[NewsItem]:
    """Every published item, newest first. Unpublished items must never leave this function.

    An item without a web address (slug) cannot be linked to, so it is left out as well.
    """
    return (
        NewsItem.objects.filter(published_at__isnull=False, slug__isnull=False)
        .exclude(slug="")
        .order_by("-published_at", "-pk")
    )


def published_photos() -> QuerySet[Photo]:
    return Photo.objects.filter(item__published_at__isnull=False)


def published_videos() -> QuerySet[Video]:
    return Video.objects.filter(item__published_at__isnull=False)


def excerpt(body: str, words: int = EXCERPT_WORDS) -> str:
    """The plain text of a sanitised HTML body, cut to about ``words`` words."""
    text = " ".join(html.unescape(strip_tags(body or "")).split())
    return Truncator(text).words(words, truncate="…")


def absolute_url(path: str, request=None) -> str:
    """An absolute URL for ``path``: from the request when there is one, else WARTA_SITE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WARTA_SITE_URL.rstrip("/") + path

"""The public website: the news index, one article, and the media of published items."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from warta.publishing.selectors import published_items, published_photos, published_videos
from warta.site.media import serve_file
from warta.site.selectors import absolute_url, excerpt

PER_PAGE = 10


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # NUL cannot be sent to PostgreSQL in a query; it is never part of a real search.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    items = published_items().select_related("cover")
    if q:
        items = items.filter(Q(title__icontains=q) | Q(body__icontains=q))
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    for item in page:
        item.excerpt = excerpt(item.body)
    return render(request, "site/index.html", {"page_obj": page, "q": q})


@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(
        published_items().select_related("cover").prefetch_related("photos", "videos"),
        slug=slug,
    )
    photos = list(item.photos.all())
    for photo in photos:
        photo.src = reverse("site:photo", args=[photo.pk])
    videos = list(item.videos.all())
    for video in videos:
        video.src = reverse("site:video", args=[video.pk])
    cover_url = (
        absolute_url(reverse("site:photo", args=[item.cover_id]), request) if item.cover_id else ""
    )
    return render(
        request,
        "site/article.html",
        {
            "article": item,
            "photos": photos,
            "videos": videos,
            "description": excerpt(item.body) or settings.WARTA_SITE_DESCRIPTION,
            "canonical_url": absolute_url(request.path, request),
            "cover_url": cover_url,
            "twitter_site": settings.WARTA_TWITTER_SITE,
        },
    )


@require_safe
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(published_photos(), pk=pk)
    return serve_file(request, item, item.image, kind="foto")


@require_safe
def video(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(published_videos(), pk=pk)
    return serve_file(request, item, item.file, kind="video")

"""The public website: the news index, one article, and the media of published items."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from warta.media.models import Asset, Rendition, rendition_path
from warta.media.presenters import present
from warta.media.serving import rendition_download_name, serve
from warta.publishing.selectors import (
    public_versions,
    published_items,
    published_items_with_media,
    published_renditions,
)
from warta.site.selectors import absolute_url, excerpt

PER_PAGE = 10
# A rendition's stored name: the SHA-256 of its bytes, maybe a storage's "_<suffix>", a type.
RENDITION_NAME = re.compile(r"[0-9a-f]{64}(_[A-Za-z0-9]{1,16})?\.[a-z0-9]{2,5}")


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    # NUL cannot be sent to PostgreSQL in a query; it is never part of a real search.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    items = published_items().select_related("cover__asset", "case")
    if q:
        items = items.filter(Q(title__icontains=q) | Q(body__icontains=q))
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    public_versions(page.object_list)
    covers = [item.cover.asset for item in page.object_list if item.cover_id]
    prefetch_related_objects(covers, "renditions")
    views = {view.pk: view for view in present(covers, public_url)}
    for item in page.object_list:
        item.excerpt = excerpt(item.body)
        item.cover_view = views.get(item.cover.asset_id) if item.cover_id else None
    return render(request, "site/index.html", {"page_obj": page, "q": q})


def rendition_url(rendition: Rendition | None) -> str:
    """The public address of a published rendition ("" for none): its stored file's name."""
    if rendition is None or not rendition.file:
        return ""
    return reverse("site:rendition", args=[PurePosixPath(rendition.file.name).name])


def public_url(asset: Asset, rendition: Rendition) -> str:
    return rendition_url(rendition)


@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(published_items_with_media().select_related("case"), slug=slug)
    public_versions([item])
    shown = item.public_assets  # None: not under correction, every medium is shown
    rows = [row for row in item.photos.all() if shown is None or row.asset_id in shown]
    photos = present((photo.asset for photo in rows), public_url)
    for view, row in zip(photos, rows, strict=True):
        view.row = row
    videos = present(
        (v.asset for v in item.videos.all() if shown is None or v.asset_id in shown), public_url
    )
    if shown is None:
        cover = next((view for view in photos if view.row.pk == item.cover_id), None)
    else:
        cover = next((view for view in photos if view.pk == item.public_cover), None)
    og = cover.og if cover is not None else None
    return render(
        request,
        "site/article.html",
        {
            "article": item,
            "photos": photos,
            "videos": videos,
            "description": excerpt(item.body) or settings.WARTA_SITE_DESCRIPTION,
            "canonical_url": absolute_url(request.path, request),
            "cover_url": absolute_url(og[0], request) if og else "",
            "cover_width": og[1] if og else 0,
            "cover_height": og[2] if og else 0,
            "cover_alt": cover.alt if cover is not None else "",
            "twitter_site": settings.WARTA_TWITTER_SITE,
        },
    )


@require_safe
def rendition(request: HttpRequest, name: str) -> HttpResponseBase:
    """A published rendition by its stored name (``<sha256>.<ext>``), public and cached for a
    year. Drafts' renditions and originals are not found here, whoever asks."""
    if not RENDITION_NAME.fullmatch(name):
        raise Http404
    found = (
        published_renditions()
        .filter(file=rendition_path(None, name))
        .select_related("asset")
        .order_by("pk")
        .first()
    )
    if found is None:
        raise Http404
    return serve(
        request,
        found.file,
        content_type=found.content_type,
        download_name=rendition_download_name(found.asset.original_name, found),
        public=True,
    )

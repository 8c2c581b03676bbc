"""The public website: the news index, one article, and the media of published items."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import prefetch_related_objects
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
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
from warta.search.selectors import search_published, suggest
from warta.search.terms import MAX_RESULTS
from warta.site import pages
from warta.site.feeds import AtomNewsFeed, NewsFeed
from warta.site.selectors import absolute_url, excerpt
from warta.site.sitemaps import render_sitemap_home, render_sitemap_index, render_sitemap_part

PER_PAGE = 10
# A rendition's stored name: the SHA-256 of its bytes, maybe a storage's "_<suffix>", a type.
RENDITION_NAME = re.compile(r"[0-9a-f]{64}(_[A-Za-z0-9]{1,16})?\.[a-z0-9]{2,5}")


def public_page(request: HttpRequest) -> HttpResponse:
    """The pre-rendered page at ``request.path_info``, rendered and stored now when it is not
    stored yet (warta.site.pages). The page is the same for everyone: it is rendered for the
    site's address in the default language, whoever asks and whatever they chose."""
    name = pages.name_for(request.path_info)
    if name is None:  # not a page's path (a slug or number past what a page can be)
        raise Http404
    # Stored already when asked with a query string (``?utm_source=…``), which the middleware
    # and nginx leave to Django.
    page = pages.read(name) or pages.produce(request.path_info)
    if page is None:
        raise Http404
    response = pages.response_for(page)
    return get_conditional_response(
        request, etag=page.etag, last_modified=int(page.modified), response=response
    )


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The news index, page 1. ``?q=`` searches (dynamic); ``?page=N`` is an old address of
    ``/halaman/N/`` and is sent there for good."""
    if "q" in request.GET:
        return search(request)
    if "page" in request.GET:
        number = request.GET.get("page", "")
        number = int(number) if number.isdigit() and len(number) < 8 else 1
        return HttpResponsePermanentRedirect(pages.index_path(number))
    return public_page(request)


@require_safe
def index_page(request: HttpRequest, number: int) -> HttpResponse:
    if number <= 1:
        return HttpResponsePermanentRedirect(pages.index_path(1))
    return public_page(request)


def search(request: HttpRequest) -> HttpResponse:
    """The search results for ``?q=`` (rendered per request, with ``?page=`` links)."""
    # NUL cannot be sent to PostgreSQL in a query; it is never part of a real search.
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    items = search_published(q) if q else published_items()
    page = Paginator(items.select_related("cover__asset", "case"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    suggestion = suggest(q) if q and not page.paginator.count else None
    return _render_index(request, page, q=q, suggestion=suggestion)


def render_index(request: HttpRequest, number: int = 1) -> HttpResponse:
    """Index page ``number`` (404 past the last page)."""
    try:
        page = Paginator(published_items().select_related("cover__asset", "case"), PER_PAGE).page(
            number
        )
    except InvalidPage as exc:
        raise Http404 from exc
    return _render_index(request, page)


def _render_index(
    request: HttpRequest, page: Page, *, q: str = "", suggestion: str | None = None
) -> HttpResponse:
    page.object_list = list(page.object_list)
    public_versions(page.object_list)
    covers = [item.cover.asset for item in page.object_list if item.cover_id]
    prefetch_related_objects(covers, "renditions")
    views = {view.pk: view for view in present(covers, public_url)}
    for item in page.object_list:
        item.excerpt = excerpt(item.body)
        item.cover_view = views.get(item.cover.asset_id) if item.cover_id else None
    if q:
        previous_url = f"?{urlencode({'q': q, 'page': page.number - 1})}"
        next_url = f"?{urlencode({'q': q, 'page': page.number + 1})}"
    else:
        previous_url = pages.index_path(page.number - 1)
        next_url = pages.index_path(page.number + 1)
    context = {
        "page_obj": page,
        "q": q,
        "previous_url": previous_url,
        "next_url": next_url,
        "suggestion": suggestion,
        "suggestion_url": f"?{urlencode({'q': suggestion})}" if suggestion else "",
        "capped": q and page.paginator.count >= MAX_RESULTS,
    }
    return render(request, "site/index.html", context)


def rendition_url(rendition: Rendition | None) -> str:
    """The public address of a published rendition ("" for none): its stored file's name."""
    if rendition is None or not rendition.file:
        return ""
    return reverse("site:rendition", args=[PurePosixPath(rendition.file.name).name])


def public_url(asset: Asset, rendition: Rendition) -> str:
    return rendition_url(rendition)


@require_safe
def article(request: HttpRequest, slug: str) -> HttpResponse:
    return public_page(request)


def render_article(request: HttpRequest, slug: str) -> HttpResponse:
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


@require_safe
def feed(request: HttpRequest) -> HttpResponse:
    return public_page(request)


@require_safe
def sitemap(request: HttpRequest, number: int | None = None) -> HttpResponse:
    return public_page(request)


# How each pre-rendered page is made (warta.site.pages.render calls these by URL name).
RENDERERS = {
    "index": render_index,
    "index_page": render_index,
    "article": render_article,
    "rss": NewsFeed(),
    "atom": AtomNewsFeed(),
    "sitemap": render_sitemap_index,
    "sitemap_home": render_sitemap_home,
    "sitemap_part": render_sitemap_part,
}

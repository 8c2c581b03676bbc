"""The sitemap, in the protocol's index form (https://www.sitemaps.org/protocol.html).

``/sitemap.xml`` is a sitemap index naming ``/sitemap-home.xml`` (the news index) and one part
per range of ``WARTA_SITEMAP_PART_SIZE`` item ids that holds a published item:
``/sitemap-<n>.xml`` lists the published articles whose id lies in
``(n - 1) * size + 1 … n * size``. An item's part never changes, so a change of one item
touches one part and the index; every file is pre-rendered (warta.site.pages) and none is
built per request. A part holds at most ``size`` articles (the protocol allows 50,000).
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from django.conf import settings
from django.db.models import ExpressionWrapper, F, IntegerField, Max
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest, HttpResponse

from warta.publishing.selectors import published_items
from warta.site import pages

XMLNS = "http://www.sitemaps.org/schemas/sitemap/0.9"
CONTENT_TYPE = pages.CONTENT_TYPES["xml"]


def part_size() -> int:
    return max(1, int(settings.WARTA_SITEMAP_PART_SIZE))


def part_of(item_id: int) -> int:
    """The sitemap part listing item ``item_id``."""
    return (item_id - 1) // part_size() + 1


def _w3c(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _lastmod(published_at: dt.datetime, updated_at: dt.datetime) -> dt.datetime:
    return max(published_at, updated_at)


def _absolute(request: HttpRequest, path: str) -> str:
    return escape(request.build_absolute_uri(path))


def parts() -> dict[int, dt.datetime]:
    """Each part that lists an article, with the newest change among its articles — grouped
    in the database (one row per part), as ``part_of`` numbers them."""
    part = ExpressionWrapper((F("pk") - 1) / part_size() + 1, output_field=IntegerField())
    rows = (
        published_items()
        .order_by()
        .annotate(part=part)
        .values("part")
        .annotate(newest=Max(Greatest("published_at", "updated_at")))
        .values_list("part", "newest")
    )
    return dict(rows)


def render_sitemap_index(request: HttpRequest) -> HttpResponse:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{XMLNS}">']
    lines.append(f"<sitemap><loc>{_absolute(request, '/sitemap-home.xml')}</loc></sitemap>")
    for number, when in sorted(parts().items()):
        location = _absolute(request, pages.sitemap_part_path(number))
        lines.append(f"<sitemap><loc>{location}</loc><lastmod>{_w3c(when)}</lastmod></sitemap>")
    lines.append("</sitemapindex>\n")
    return HttpResponse("\n".join(lines), content_type=CONTENT_TYPE)


def render_sitemap_home(request: HttpRequest) -> HttpResponse:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{XMLNS}">',
        f"<url><loc>{_absolute(request, '/')}</loc><changefreq>daily</changefreq>"
        "<priority>1.0</priority></url>",
        "</urlset>\n",
    ]
    return HttpResponse("\n".join(lines), content_type=CONTENT_TYPE)


def render_sitemap_part(request: HttpRequest, number: int) -> HttpResponse:
    """Part ``number``: the published articles with ids in its range (404 when none is)."""
    size = part_size()
    rows = list(
        published_items()
        .filter(pk__gt=(number - 1) * size, pk__lte=number * size)
        .order_by("pk")
        .values_list("slug", "published_at", "updated_at")
    )
    if not rows:
        raise Http404
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{XMLNS}">']
    for slug, published_at, updated_at in rows:
        location = _absolute(request, pages.article_path(slug))
        when = _w3c(_lastmod(published_at, updated_at))
        lines.append(f"<url><loc>{location}</loc><lastmod>{when}</lastmod></url>")
    lines.append("</urlset>\n")
    return HttpResponse("\n".join(lines), content_type=CONTENT_TYPE)

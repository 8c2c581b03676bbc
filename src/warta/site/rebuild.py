"""Render every public page (``warta site rebuild``): after a restore, an upgrade, or to warm a
new server. Pages are rendered one by one; visitors are served meanwhile (a page not rendered
yet is rendered on its request)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from warta.publishing.selectors import published_items
from warta.site import pages
from warta.site.sitemaps import parts


def every_path() -> Iterator[str]:
    """Every public page's path: the feeds, the sitemap, the index pages, the articles."""
    from warta.site.views import PER_PAGE

    yield "/feed/rss/"
    yield "/feed/atom/"
    yield "/sitemap.xml"
    yield "/sitemap-home.xml"
    for number in sorted(parts()):
        yield pages.sitemap_part_path(number)
    count = published_items().count()
    for number in range(1, max(1, math.ceil(count / PER_PAGE)) + 1):
        yield pages.index_path(number)
    for slug in published_items().values_list("slug", flat=True).iterator(chunk_size=2000):
        yield pages.article_path(slug)


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Delete every stored page and render them all again; returns how many were rendered."""
    pages.reset()
    paths = list(every_path())
    for done, path in enumerate(paths, start=1):
        pages.refresh(path)
        if progress is not None:
            progress(done, len(paths))
    return len(paths)

"""The sitemap: the news index and every published article."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from warta.publishing.selectors import published_items


class IndexSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["site:index"]

    def location(self, item) -> str:
        return reverse(item)

    def lastmod(self, item):
        latest = published_items().only("published_at").first()
        return latest.published_at if latest else None


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return published_items().only("slug", "published_at", "updated_at")

    def location(self, item) -> str:
        return reverse("site:article", args=[item.slug])

    def lastmod(self, item):
        return max(item.updated_at, item.published_at)


SITEMAPS = {"index": IndexSitemap, "articles": ArticleSitemap}

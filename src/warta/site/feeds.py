"""RSS and Atom feeds of the 20 newest published items."""

from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from warta.publishing.selectors import public_versions, published_items
from warta.site.selectors import excerpt

FEED_SIZE = 20


class NewsFeed(Feed):
    def title(self) -> str:
        return _("%(institution)s news") % {"institution": settings.WARTA_INSTITUTION_NAME}

    def description(self) -> str:
        return settings.WARTA_SITE_DESCRIPTION

    def link(self) -> str:
        return reverse("site:index")

    def feed_url(self) -> str:
        return reverse("site:rss")

    def items(self):
        items = list(published_items().select_related("case")[:FEED_SIZE])
        public_versions(items)
        return items

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return excerpt(item.body)

    def item_link(self, item) -> str:
        # Made absolute by the syndication framework from the request's host and scheme.
        return reverse("site:article", args=[item.slug])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return max(item.updated_at, item.published_at)


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed

    def subtitle(self) -> str:
        return settings.WARTA_SITE_DESCRIPTION

    def feed_url(self) -> str:
        return reverse("site:atom")

from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from warta.site import views
from warta.site.feeds import AtomNewsFeed, NewsFeed
from warta.site.sitemaps import SITEMAPS

app_name = "site"

urlpatterns = [
    path("", views.index, name="index"),
    path("berita/<slug:slug>/", views.article, name="article"),
    # Published renditions under the hash of their bytes (cacheable for a year).
    path("media/r/<str:name>", views.rendition, name="rendition"),
    path("feed/rss/", require_safe(NewsFeed()), name="rss"),
    path("feed/atom/", require_safe(AtomNewsFeed()), name="atom"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]

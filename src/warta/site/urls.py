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
    path("media/foto/<int:pk>/", views.photo, name="photo"),
    path("media/video/<int:pk>/", views.video, name="video"),
    path("feed/rss/", require_safe(NewsFeed()), name="rss"),
    path("feed/atom/", require_safe(AtomNewsFeed()), name="atom"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]

from django.urls import path

from warta.site import views

app_name = "site"

# The pages below (but the rendition and the search) are pre-rendered: warta.site.pages keeps
# them as files, served by warta.site.middleware or nginx without rendering.
urlpatterns = [
    path("", views.index, name="index"),
    path("halaman/<int:number>/", views.index_page, name="index_page"),
    path("berita/<slug:slug>/", views.article, name="article"),
    # Published renditions under the hash of their bytes (cacheable for a year).
    path("media/r/<str:name>", views.rendition, name="rendition"),
    path("feed/rss/", views.feed, name="rss"),
    path("feed/atom/", views.feed, name="atom"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-home.xml", views.sitemap, name="sitemap_home"),
    path("sitemap-<int:number>.xml", views.sitemap, name="sitemap_part"),
]

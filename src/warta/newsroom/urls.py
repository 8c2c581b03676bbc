from django.urls import path

from warta.newsroom import views, views_item_media, views_media

app_name = "newsroom"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unit/", views.unit_overview, name="unit"),
    path("berita/baru/", views.item_new, name="item_new"),
    path("berita/<int:pk>/", views.item_detail, name="item"),
    path("berita/<int:pk>/sunting/", views.item_edit, name="item_edit"),
    path("berita/<int:pk>/simpan-otomatis/", views.item_autosave, name="item_autosave"),
    path("berita/<int:pk>/aksi/", views.item_action, name="item_action"),
    path("berita/<int:pk>/versi/", views.item_revisions, name="item_revisions"),
    path("berita/<int:pk>/media/", views_item_media.item_media_add, name="item_media_add"),
    path(
        "berita/<int:pk>/media/status/",
        views_item_media.item_media_status,
        name="item_media_status",
    ),
    path(
        "berita/<int:pk>/media/<int:asset_id>/fokus/",
        views_item_media.item_media_focus,
        name="item_media_focus",
    ),
    path(
        "berita/<int:pk>/media/<int:asset_id>/poster/",
        views_item_media.item_media_poster,
        name="item_media_poster",
    ),
    # A draft's media (original or rendition), for those who may see the item.
    path("media/<int:asset_id>/<slug:spec>/", views_media.asset_file, name="media_file"),
]

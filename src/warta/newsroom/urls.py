from django.urls import path

from warta.newsroom import views, views_media

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
    path("media/foto/<int:pk>/", views_media.photo, name="photo"),
    path("media/video/<int:pk>/", views_media.video, name="video"),
]

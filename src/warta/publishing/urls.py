"""The channel pages, included under ``kerja/`` (see ``warta.config.urls``)."""

from django.urls import path

from warta.publishing import views

app_name = "publishing"

urlpatterns = [
    path("kanal/", views.accounts, name="accounts"),
    path("kanal/baru/", views.account_new, name="account_new"),
    path("kanal/<int:pk>/", views.account_edit, name="account"),
    path("kanal/<int:pk>/uji/", views.account_test, name="account_test"),
    path("kanal/<int:pk>/nonaktifkan/", views.account_deactivate, name="account_deactivate"),
    path("berita/<int:pk>/kanal/", views.channel_texts, name="texts"),
    path("berita/<int:pk>/pratinjau-kanal/", views.channel_preview, name="preview"),
    path("berita/<int:pk>/terbit/", views.status, name="status"),
    path("berita/<int:pk>/tarik/", views.withdraw, name="withdraw"),
    path("berita/<int:pk>/koreksi/", views.correct, name="correct"),
    path("terbit/<int:pk>/alamat/", views.record_address, name="record"),
    path("terbit/<int:pk>/kirim-ulang/", views.send_again, name="retry"),
    path("terbit/<int:pk>/sudah-dihapus/", views.confirm_removed, name="confirm_removed"),
]

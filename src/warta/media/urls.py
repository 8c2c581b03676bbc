"""Resumable uploads (tus 1.0.0), mounted at ``kerja/unggah/``."""

from django.urls import path

from warta.media import tus

app_name = "media"

urlpatterns = [
    path("", tus.create, name="tus"),
    path("<uuid:upload_id>/", tus.upload, name="tus_upload"),
]

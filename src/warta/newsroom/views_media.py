"""Draft media, for signed-in newsroom staff only (the public site serves published media)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404

from warta.newsroom.access import staff_required
from warta.newsroom.models import Photo, Video


def file_response(field, content_type: str | None = None) -> FileResponse:
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    return file_response(get_object_or_404(Photo, pk=pk).image)


@staff_required
def video(request: HttpRequest, pk: int) -> FileResponse:
    item = get_object_or_404(Video, pk=pk)
    return file_response(item.file, item.content_type or None)

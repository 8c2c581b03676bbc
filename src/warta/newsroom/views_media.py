"""Draft media, for signed-in newsroom staff only (the public site serves published media).

Every media response — here and on the public site — is served as the type detected in the file's
content (``uploads``), never guessed from a name, and carries headers that keep a browser from
running anything in it: ``X-Content-Type-Options: nosniff``, a sandboxing
``Content-Security-Policy`` and an ``inline`` ``Content-Disposition`` with a sanitised name.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from warta.accounts.access import member_required
from warta.newsroom.models import Photo, Video
from warta.newsroom.uploads import OCTET_STREAM, media_type_of

# No script, no plugin, no form, no navigation: the file is shown as an image or a video, nothing
# more. ``img-src``/``media-src`` let the browser's own image and video viewers show it.
MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
PRIVATE_CACHE = "private, max-age=3600"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_UNICODE = re.compile(r"[\x00-\x1f\x7f/\\\"';:<>|?*%]+")
_MAX_STEM = 80


def _stem(original_name: str) -> str:
    base = re.split(r"[/\\]", original_name or "")[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def content_disposition(original_name: str, extension: str, *, fallback: str) -> str:
    """``inline`` with the client's file name made safe: an ASCII ``filename`` and an RFC 5987
    ``filename*`` (UTF-8), both ending with the extension of the detected type."""
    stem = unicodedata.normalize("NFC", _stem(original_name))
    unicode_stem = _UNSAFE_UNICODE.sub("-", stem).strip(" .-")[:_MAX_STEM] or fallback
    decomposed = unicodedata.normalize("NFKD", stem)
    ascii_stem = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_stem = ascii_stem.encode("ascii", "replace").decode()
    ascii_stem = _UNSAFE.sub("-", ascii_stem).strip(".-")[:_MAX_STEM] or fallback
    disposition = "inline" if extension != "bin" else "attachment"
    return (
        f'{disposition}; filename="{ascii_stem}.{extension}"; '
        f"filename*=UTF-8''{quote(f'{unicode_stem}.{extension}', safe='')}"
    )


def media_headers(row: Model, field: FieldFile, *, kind: str) -> dict[str, str]:
    """The type and protective headers for serving ``field`` of a Photo or Video row."""
    media_type = media_type_of(row.content_type, field.name)
    extension = media_type.extension if media_type else "bin"
    return {
        "Content-Type": media_type.mime if media_type else OCTET_STREAM,
        "Content-Disposition": content_disposition(
            row.original_name, extension, fallback=f"{kind}-{row.pk}"
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
    }


def protect(response: HttpResponseBase, headers: dict[str, str]) -> HttpResponseBase:
    for name, value in headers.items():
        response[name] = value
    return response


def open_stored(field: FieldFile):
    """The stored file, open for reading; 404 when it is missing from storage."""
    try:
        return field.open("rb")
    except (OSError, ValueError):
        raise Http404 from None


def file_response(row: Model, field: FieldFile, *, kind: str) -> HttpResponseBase:
    headers = media_headers(row, field, kind=kind)
    response = FileResponse(open_stored(field), content_type=headers["Content-Type"])
    response["Cache-Control"] = PRIVATE_CACHE
    return protect(response, headers)


@require_safe
@member_required
def photo(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(Photo, pk=pk)
    return file_response(item, item.image, kind="foto")


@require_safe
@member_required
def video(request: HttpRequest, pk: int) -> HttpResponseBase:
    item = get_object_or_404(Video, pk=pk)
    return file_response(item, item.file, kind="video")

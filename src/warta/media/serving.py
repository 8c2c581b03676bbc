"""Answering a request for a stored media file, once the caller has decided who may have it.

``serve`` is the one function the views call. Every answer carries headers that keep a browser
from running anything in the file: the type Warta detected in the content (never guessed from a
name; an unknown type is sent as a download), ``X-Content-Type-Options: nosniff``, a sandboxing
``Content-Security-Policy`` and a ``Content-Disposition`` with a sanitised name.

How the bytes travel depends on the storage and the deployment (docs/deployment.md, "Media
files"):

- a local storage and ``WARTA_MEDIA_ACCEL = ""``: through Python, with single-range ``Range``
  support (video players seek with it);
- ``"nginx"``: an empty answer with ``X-Accel-Redirect`` to the internal location
  ``WARTA_MEDIA_ACCEL_PREFIX`` + the storage name; nginx sends the file;
- ``"sendfile"``: ``X-Sendfile`` with the file's absolute path (Apache's mod_xsendfile, ...);
- a storage without local paths (S3): a redirect to a presigned URL valid
  ``WARTA_MEDIA_URL_SECONDS``, which makes the object store answer with the same type, name
  and caching.

Public files (published renditions, named by the hash of their bytes) may be cached by anyone
for a year; everything else is ``private, no-store``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.http import parse_etags

from warta.config.storage import DEFAULT_ACCEL_PREFIX, DEFAULT_URL_SECONDS
from warta.media.types import media_type_of

# No script, no plugin, no form, no navigation: the file is shown as an image or a video, nothing
# more. ``img-src``/``media-src`` let the browser's own image and video viewers show it.
MEDIA_CSP = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
OCTET_STREAM = "application/octet-stream"
PUBLIC_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, no-store"
CHUNK_SIZE = 64 * 1024

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_SHA256 = re.compile(r"^[0-9a-f]{64}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_UNICODE = re.compile(r"[\x00-\x1f\x7f/\\\"';:<>|?*%]+")
_MAX_STEM = 80


# --- headers -------------------------------------------------------------------------------------


def _stem(name: str) -> str:
    base = re.split(r"[/\\]", name or "")[-1]
    return base.rsplit(".", 1)[0] if "." in base else base


def content_disposition(original_name: str, extension: str, *, fallback: str) -> str:
    """``inline`` with the client's file name made safe: an ASCII ``filename`` and an RFC 5987
    ``filename*`` (UTF-8), both ending with the extension of the detected type. A type Warta
    does not serve (``extension == "bin"``) is an ``attachment``, never shown inline."""
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


def media_headers(content_type: str, download_name: str, *, fallback: str) -> dict[str, str]:
    """The type and protective headers of every media answer. ``content_type`` is the type
    detected in the content; one Warta does not serve becomes ``application/octet-stream``."""
    media_type = media_type_of(content_type)
    return {
        "Content-Type": media_type.mime if media_type else OCTET_STREAM,
        "Content-Disposition": content_disposition(
            download_name, media_type.extension if media_type else "bin", fallback=fallback
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": MEDIA_CSP,
    }


def etag_of(name: str) -> str | None:
    """A rendition's stored name starts with the SHA-256 of its bytes: that is its ETag."""
    found = _SHA256.match(PurePosixPath(name).name)
    return f'"{found.group(0)}"' if found else None


def rendition_download_name(original_name: str, rendition: Any) -> str:
    """``<uploaded name's stem>-<spec>.<ext>`` (``rapat-web-jpeg.jpg``) for a ``Rendition``."""
    stem = _stem(original_name)
    stem = f"{stem}-{rendition.spec}" if stem else rendition.spec
    return f"{stem}{PurePosixPath(rendition.file.name).suffix}"


def _finish(response: HttpResponseBase, headers: dict[str, str]) -> HttpResponseBase:
    for header, value in headers.items():
        response[header] = value
    return response


# --- ranges --------------------------------------------------------------------------------------


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(start, end) inclusive for one satisfiable range; None to ignore the header (missing,
    malformed or several ranges: the whole file is sent); False if unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # a suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return False
    return start, end


def _chunks(fileobj: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        fileobj.seek(start)
        remaining = length
        while remaining > 0:
            data = fileobj.read(min(CHUNK_SIZE, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        fileobj.close()


def _open(field_file: FieldFile) -> IO[bytes]:
    try:
        return field_file.storage.open(field_file.name, "rb")
    except (OSError, ValueError):
        raise Http404 from None


def _through_python(
    request: HttpRequest, field_file: FieldFile, headers: dict[str, str]
) -> HttpResponseBase:
    """The whole file (200), one byte range of it (206), or 416 for an unsatisfiable range."""
    content_type = headers["Content-Type"]
    header = request.headers.get("Range", "")
    if header and "If-Range" not in request.headers:
        fileobj = _open(field_file)
        size = fileobj.seek(0, 2)
        wanted = parse_range(header, size)
        if wanted is False:
            fileobj.close()
            response = HttpResponse(status=416, content_type=content_type)
            response["Content-Range"] = f"bytes */{size}"
            return response
        if wanted is not None:
            start, end = wanted
            length = end - start + 1
            response = StreamingHttpResponse(
                _chunks(fileobj, start, length), status=206, content_type=content_type
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            return response
        fileobj.seek(0)
        return FileResponse(fileobj, content_type=content_type)
    return FileResponse(_open(field_file), content_type=content_type)


# --- the one entry point -------------------------------------------------------------------------


def _local_path(field_file: FieldFile) -> str | None:
    try:
        return field_file.storage.path(field_file.name)
    except NotImplementedError:
        return None


def _presigned(field_file: FieldFile, headers: dict[str, str], cache: str) -> str:
    """A URL of the object store valid ``WARTA_MEDIA_URL_SECONDS`` that answers with the type,
    name and caching Warta chose (S3's ``response-*`` overrides; django-storages signs them)."""
    parameters = {
        "ResponseContentType": headers["Content-Type"],
        "ResponseContentDisposition": headers["Content-Disposition"],
        "ResponseCacheControl": cache,
    }
    seconds = int(getattr(settings, "WARTA_MEDIA_URL_SECONDS", DEFAULT_URL_SECONDS))
    return field_file.storage.url(field_file.name, parameters=parameters, expire=seconds)


def serve(
    request: HttpRequest,
    field_file: FieldFile,
    *,
    content_type: str,
    download_name: str,
    public: bool,
) -> HttpResponseBase:
    """Send ``field_file`` (the caller has checked that the requester may have it).

    ``content_type`` is the type detected in the file's content, ``download_name`` the name a
    browser offers when saving it (only its stem is used; the extension follows the type),
    ``public`` says whether anyone may cache it (a published rendition) or nobody
    (a draft's file). A file missing from storage is a 404.
    """
    if not field_file or not field_file.name:
        raise Http404
    headers = media_headers(
        content_type, download_name, fallback=_stem(field_file.name)[:_MAX_STEM]
    )
    cache = PUBLIC_CACHE if public else PRIVATE_CACHE
    etag = etag_of(field_file.name)
    storage = field_file.storage
    path = _local_path(field_file)

    if path is None:  # an object store: the browser fetches the bytes from it directly
        if not storage.exists(field_file.name):
            raise Http404
        response: HttpResponseBase = HttpResponseRedirect(_presigned(field_file, headers, cache))
        response["Cache-Control"] = PRIVATE_CACHE  # the URL in it expires
        return _finish(response, {k: v for k, v in headers.items() if k != "Content-Type"})

    if etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        accel = getattr(settings, "WARTA_MEDIA_ACCEL", "")
        if accel and not storage.exists(field_file.name):
            raise Http404
        if accel == "nginx":
            prefix = getattr(settings, "WARTA_MEDIA_ACCEL_PREFIX", DEFAULT_ACCEL_PREFIX)
            response = HttpResponse(content_type=headers["Content-Type"])
            response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
        elif accel == "sendfile":
            response = HttpResponse(content_type=headers["Content-Type"])
            response["X-Sendfile"] = path
        else:
            response = _through_python(request, field_file, headers)
            response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache
    if etag:
        response["ETag"] = etag
    return _finish(response, headers)

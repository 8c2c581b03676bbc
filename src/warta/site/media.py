"""Serving a stored file with public caching and single-range HTTP Range support (for video).

Every response (200, 206 and 416) is served as the type detected in the content and carries the
protective headers of ``newsroom.views_media.media_headers``."""

from __future__ import annotations

import re

from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)

from warta.newsroom.views_media import media_headers, open_stored, protect

CACHE_CONTROL = "public, max-age=3600"
CHUNK_SIZE = 64 * 1024
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(start, end) inclusive for one satisfiable range; None to ignore; False if unsatisfiable."""
    match = RANGE_RE.match(header.strip())
    if not match:
        return None  # missing, malformed or multi-range: serve the whole file
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or start > end:
        return False
    return start, end


def _chunks(fileobj, start: int, length: int):
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


def _public(response: HttpResponseBase, headers: dict[str, str]) -> HttpResponseBase:
    response["Cache-Control"] = CACHE_CONTROL
    response["Accept-Ranges"] = "bytes"
    return protect(response, headers)


def serve_file(
    request: HttpRequest, row: Model, field: FieldFile, *, kind: str
) -> HttpResponseBase:
    """The whole file (200), one byte range of it (206), or 416 for an unsatisfiable range."""
    headers = media_headers(row, field, kind=kind)
    header = request.headers.get("Range", "")
    if header and "If-Range" not in request.headers:
        try:
            size = field.size
        except (OSError, ValueError):
            size = None
        wanted = _parse_range(header, size) if size is not None else None
        if wanted is False:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _public(response, headers)
        if wanted is not None:
            start, end = wanted
            length = end - start + 1
            response = StreamingHttpResponse(
                _chunks(open_stored(field), start, length),
                status=206,
                content_type=headers["Content-Type"],
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            return _public(response, headers)
    response = FileResponse(open_stored(field), content_type=headers["Content-Type"])
    return _public(response, headers)

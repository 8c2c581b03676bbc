"""Serving a stored file with public caching and single-range HTTP Range support (for video)."""

from __future__ import annotations

import mimetypes
import re

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

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


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    response["Accept-Ranges"] = "bytes"
    return response


def serve_file(request: HttpRequest, field, content_type: str | None = None) -> HttpResponse:
    """The whole file (200), one byte range of it (206), or 416 for an unsatisfiable range."""
    header = request.headers.get("Range", "")
    if header and "If-Range" not in request.headers:
        size = field.size
        wanted = _parse_range(header, size)
        if wanted is False:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _public(response)
        if wanted is not None:
            start, end = wanted
            length = end - start + 1
            content_type = (
                content_type or mimetypes.guess_type(field.name)[0] or "application/octet-stream"
            )
            response = StreamingHttpResponse(
                _chunks(field.open("rb"), start, length), status=206, content_type=content_type
            )
            response["Content-Length"] = str(length)
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            return _public(response)
    return _public(FileResponse(field.open("rb"), content_type=content_type))

"""The tus 1.0.0 resumable-upload server: the core protocol with the creation, termination and
expiration extensions (https://tus.io/protocols/resumable-upload).

``POST kerja/unggah/`` creates an upload (``Upload-Length``; ``Upload-Metadata`` with
``filename``, ``kind`` = photo/video and ``target``) and answers ``201`` with its
``Location``; ``HEAD`` on that URL tells the offset to continue from; ``PATCH`` appends one
chunk (at most ``WARTA_UPLOAD_CHUNK_MB``, read from the request as a stream); ``DELETE`` drops
it. A finished upload becomes a media file only when the page that asked for it attaches it
(the owner's "attach" URL calls ``warta.media.uploads.finish``): this module creates nothing.

Only signed-in staff may upload, with the CSRF token (``X-CSRFToken``) like any other write.
Since Warta's middleware lets only GET, HEAD and POST reach a view, the browser sends PATCH and
DELETE as a POST with ``X-HTTP-Method-Override`` (part of tus 1.0.0's core protocol).
Every refusal answers ``{"error": "<message>"}`` with the tus status, never a 500.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _

from warta.accounts.access import member_required
from warta.errors import WartaError
from warta.media import limits, uploads
from warta.media.models import Asset, Upload

VERSION = "1.0.0"
EXTENSIONS = "creation,termination,expiration"
CONTENT_TYPE = "application/offset+octet-stream"
_NUMBER = re.compile(r"\d{1,19}")
_METADATA_KEYS = 16
METHODS = ("OPTIONS", "POST", "HEAD", "PATCH", "DELETE")


class BadRequest(WartaError):
    status = 400
    code = "bad-request"


def chunk_limit() -> int:
    """The most bytes one PATCH may carry."""
    return settings.WARTA_UPLOAD_CHUNK_MB * limits.MB


def max_size() -> int:
    return max(limits.max_bytes(kind) for kind in Asset.Kind.values)


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = VERSION
    response["Cache-Control"] = "no-store"
    return response


def _error(error: WartaError, **headers: str) -> HttpResponse:
    response = JsonResponse({"error": error.message}, status=error.status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return _tus(response)


def _number(request: HttpRequest, header: str) -> int:
    value = request.headers.get(header, "").strip()
    if not _NUMBER.fullmatch(value):
        raise BadRequest(
            _("The %(header)s header must be a whole number of bytes.") % {"header": header}
        )
    return int(value)


def parse_metadata(value: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64value`` pairs (the value may be absent)."""
    pairs: dict[str, str] = {}
    if not value.strip():
        return pairs
    invalid = BadRequest(_("The Upload-Metadata header is not valid."))
    for item in value.split(","):
        parts = item.strip().split(" ")
        key = parts[0]
        if not key or len(parts) > 2 or key in pairs or len(pairs) >= _METADATA_KEYS:
            raise invalid
        try:
            decoded = base64.b64decode(parts[1], validate=True) if len(parts) == 2 else b""
            pairs[key] = decoded.decode("utf-8")
        except (binascii.Error, ValueError):
            raise invalid from None
    return pairs


def _upload_headers(response: HttpResponse, upload: Upload) -> HttpResponse:
    response["Upload-Offset"] = str(upload.offset)
    response["Upload-Length"] = str(upload.length)
    response["Upload-Expires"] = http_date(upload.expires_at.timestamp())
    return _tus(response)


def _options() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Tus-Version"] = VERSION
    response["Tus-Extension"] = EXTENSIONS
    response["Tus-Max-Size"] = str(max_size())
    return _tus(response)


def _protocol(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """OPTIONS answered, the version checked, and every refusal turned into its status."""

    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        override = request.headers.get("X-HTTP-Method-Override", "").strip().upper()
        if override and request.method == "POST":
            # tus lets a client that cannot send PATCH or DELETE post with this header (Warta's
            # pages take GET, HEAD and POST only: warta.ui.methods). Only a POST may say so: it
            # has passed the CSRF check, which a GET would not have met.
            if override not in METHODS:
                return _not_allowed(", ".join(METHODS))
            request.method = override
        if request.method == "OPTIONS":
            return _options()
        if request.headers.get("Tus-Resumable", "").strip() != VERSION:
            response = _error(
                WartaError(_("This server speaks tus %(version)s.") % {"version": VERSION})
            )
            response.status_code = 412
            response["Tus-Version"] = VERSION
            return response
        try:
            return view(request, *args, **kwargs)
        except WartaError as error:
            return _error(error)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _not_allowed(allowed: str) -> HttpResponse:
    response = _error(WartaError(_("This method is not allowed here.")))
    response.status_code = 405
    response["Allow"] = allowed
    return response


@member_required
@_protocol
def create(request: HttpRequest) -> HttpResponse:
    """POST: a new upload (the creation extension)."""
    if request.method != "POST":
        return _not_allowed("OPTIONS, POST")
    if "Upload-Defer-Length" in request.headers:
        raise BadRequest(_("The length of the file must be known when the upload starts."))
    length = _number(request, "Upload-Length")
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    kind = metadata.get("kind") or (
        Asset.Kind.VIDEO if metadata.get("filetype", "").startswith("video/") else ""
    )
    upload = uploads.begin(
        request.user,
        kind=kind or Asset.Kind.PHOTO,
        filename=metadata.get("filename", ""),
        length=length,
        target=metadata.get("target", ""),
    )
    response = HttpResponse(status=201)
    response["Location"] = request.build_absolute_uri(reverse("media:tus_upload", args=[upload.pk]))
    return _upload_headers(response, upload)


@member_required
@_protocol
def upload(request: HttpRequest, upload_id) -> HttpResponse:
    """HEAD (where to continue), PATCH (one more chunk), DELETE (termination)."""
    if request.method == "HEAD":
        return _upload_headers(HttpResponse(status=200), uploads.get(upload_id, request.user))
    if request.method == "PATCH":
        return _patch(request, upload_id)
    if request.method == "DELETE":
        uploads.terminate(upload_id, request.user)
        return _tus(HttpResponse(status=204))
    return _not_allowed("OPTIONS, HEAD, PATCH, DELETE")


def _patch(request: HttpRequest, upload_id) -> HttpResponse:
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type != CONTENT_TYPE:
        error = BadRequest(
            _("A piece of an upload must be sent as %(type)s.") % {"type": CONTENT_TYPE}
        )
        error.status = 415
        raise error
    offset = _number(request, "Upload-Offset")
    length = _number(request, "Content-Length")
    if length > chunk_limit():
        error = BadRequest(
            _("A piece of an upload may be at most %(limit)s.")
            % {"limit": limits.human_size(chunk_limit())}
        )
        error.status = 413
        raise error
    try:
        upload = uploads.append(upload_id, request.user, offset, request, length)
    except uploads.OffsetMismatch as mismatch:
        return _error(mismatch, Upload_Offset=str(mismatch.expected))
    if upload.offset < offset + length:
        # The body ended early (the connection broke): what arrived is kept.
        return _upload_headers(
            _error(BadRequest(_("The connection broke off; continue from the offset."))),
            upload,
        )
    return _upload_headers(HttpResponse(status=204), upload)

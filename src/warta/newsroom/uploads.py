"""Checking uploaded files by their content, not their name (the full media pipeline with
renditions and metadata stripping is its own issue)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from warta.newsroom.errors import InvalidUpload

MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
PHOTO_EXTENSIONS = ".jpg,.jpeg,.png,.webp,.gif"
VIDEO_EXTENSIONS = ".mp4,.m4v,.mov,.webm"


def check_photo(upload: UploadedFile) -> None:
    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidUpload(_("%(name)s is larger than 25 MB.") % {"name": upload.name})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidUpload(
            _("%(name)s is not a photo Warta can read (JPEG, PNG, WebP or GIF).")
            % {"name": upload.name}
        ) from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise InvalidUpload(
            _("%(name)s is not a photo Warta can read (JPEG, PNG, WebP or GIF).")
            % {"name": upload.name}
        )


def video_content_type(upload: UploadedFile) -> str:
    """The MIME type from the file's first bytes; refuses what is not MP4/MOV/WebM."""
    if upload.size > MAX_VIDEO_BYTES:
        raise InvalidUpload(_("%(name)s is larger than 1 GB.") % {"name": upload.name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if head[4:8] == b"ftyp":
        return "video/quicktime" if head[8:10] == b"qt" else "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    raise InvalidUpload(
        _("%(name)s is not a video Warta can read (MP4, MOV or WebM).") % {"name": upload.name}
    )

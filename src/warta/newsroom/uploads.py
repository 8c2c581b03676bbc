"""Checking uploaded files by their content, not their name (the full media pipeline with
renditions and metadata stripping is its own issue).

The type of a stored file always comes from its content: the stored name's extension and the
``Content-Type`` it is served with are taken from the ``MediaType`` detected here, never from the
name the client sent (a PNG named ``foto.html`` is stored and served as ``.png``/``image/png``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from warta.newsroom.errors import InvalidUpload

MAX_PHOTO_BYTES = 25 * 1024 * 1024
MAX_VIDEO_BYTES = 1024 * 1024 * 1024
# Refused by the size declared in the header, before any pixel is decoded: a small file can
# declare billions of pixels (a "decompression bomb"). 100 megapixels is above any camera an
# office uses for news photos.
MAX_PHOTO_PIXELS = 100_000_000
PHOTO_EXTENSIONS = ".jpg,.jpeg,.png,.webp,.gif"
VIDEO_EXTENSIONS = ".mp4,.m4v,.mov,.webm"
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class MediaType:
    """A file type Warta stores and serves: its MIME type and the extension of its stored name."""

    mime: str
    extension: str


JPEG = MediaType("image/jpeg", "jpg")
PNG = MediaType("image/png", "png")
WEBP = MediaType("image/webp", "webp")
GIF = MediaType("image/gif", "gif")
MP4 = MediaType("video/mp4", "mp4")
MOV = MediaType("video/quicktime", "mov")
WEBM = MediaType("video/webm", "webm")

PHOTO_TYPES = {"JPEG": JPEG, "PNG": PNG, "WEBP": WEBP, "GIF": GIF}  # by Pillow's format name
PHOTO_FORMATS = set(PHOTO_TYPES)
MEDIA_TYPES = (JPEG, PNG, WEBP, GIF, MP4, MOV, WEBM)
BY_MIME = {media_type.mime: media_type for media_type in MEDIA_TYPES}
BY_EXTENSION = {media_type.extension: media_type for media_type in MEDIA_TYPES}

# Brands of the ISO base media file format (the ``ftyp`` box of MP4 and QuickTime files).
_QUICKTIME_BRANDS = {b"qt  "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv", b"MSNV",
    b"mmp4", b"XAVC", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"NDAS", b"f4v ",
}  # fmt: skip
_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                 b"avif", b"avis", b"miaf"}  # fmt: skip
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = b"\x42\x82"
_SNIFF_BYTES = 4096


def media_type_of(content_type: str = "", name: str = "") -> MediaType | None:
    """The known type of a stored file from its recorded MIME type, else its stored name's
    extension (which Warta chose from the content); ``None`` if neither is one Warta serves."""
    if content_type in BY_MIME:
        return BY_MIME[content_type]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return BY_EXTENSION.get(extension)


def _unreadable_photo(name: str) -> InvalidUpload:
    return InvalidUpload(
        _("%(name)s is not a photo Warta can read (JPEG, PNG, WebP or GIF).") % {"name": name}
    )


def check_photo(upload: UploadedFile) -> MediaType:
    """The photo's type, read from its content; refuses anything else with ``InvalidUpload``.

    Nothing is decoded: the header gives the format and the declared size, which is refused
    above ``MAX_PHOTO_PIXELS``; ``verify()`` then checks the file's structure.
    """
    name = upload.name or ""
    if upload.size > MAX_PHOTO_BYTES:
        raise InvalidUpload(_("%(name)s is larger than 25 MB.") % {"name": name})
    too_many_pixels = InvalidUpload(
        _(
            "%(name)s declares more than %(limit)s million pixels; Warta refuses such files. "
            "Upload a smaller photo."
        )
        % {"name": name, "limit": MAX_PHOTO_PIXELS // 1_000_000}
    )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                raise too_many_pixels
            image.verify()
    except InvalidUpload:
        raise
    except Image.DecompressionBombError:
        raise too_many_pixels from None
    except Exception:  # whatever else Pillow raises on an odd file is a refusal too
        raise _unreadable_photo(name) from None
    finally:
        upload.seek(0)
    if image_format not in PHOTO_TYPES:
        raise _unreadable_photo(name)
    return PHOTO_TYPES[image_format]


def _ftyp_type(head: bytes) -> MediaType | None:
    """MP4 or QuickTime from an ISO base media file's leading ``ftyp`` box: its size, the major
    brand, the minor version, then the compatible brands. HEIF/AVIF images share the box and are
    not videos."""
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16 or box_size % 4 or box_size > len(head):
        return None
    major = head[8:12]
    if major in _IMAGE_BRANDS:
        return None
    compatible = [head[i : i + 4] for i in range(16, box_size, 4)]
    for brand in (major, *compatible):
        if brand in _QUICKTIME_BRANDS:
            return MOV
        if brand in _MP4_BRANDS:
            return MP4
    return None


def _ebml_size(data: bytes, at: int) -> tuple[int, int] | None:
    """An EBML variable-size integer at ``at``: (value, bytes used); None if malformed."""
    if at >= len(data) or data[at] == 0:
        return None
    first = data[at]
    length = 8 - first.bit_length() + 1
    if at + length > len(data):
        return None
    value = first & (0xFF >> length)
    for byte in data[at + 1 : at + length]:
        value = (value << 8) | byte
    return value, length


def _webm_type(head: bytes) -> MediaType | None:
    """WebM from the EBML header at the start of the file, when its DocType is ``webm``."""
    header = _ebml_size(head, 4)
    if header is None:
        return None
    size, used = header
    at, end = 4 + used, min(len(head), 4 + used + size)
    while at < end:
        if head[at] == 0:
            return None
        id_length = 8 - head[at].bit_length() + 1
        element_id = head[at : at + id_length]
        length = _ebml_size(head, at + id_length)
        if length is None:
            return None
        value_size, used = length
        value_at = at + id_length + used
        if element_id == _EBML_DOCTYPE:
            return WEBM if head[value_at : value_at + value_size] == b"webm" else None
        at = value_at + value_size
    return None


def sniff_video(head: bytes) -> MediaType | None:
    """MP4, QuickTime or WebM from a file's first bytes (an ISO BMFF ``ftyp`` box with its
    brands, or the EBML header of a WebM file)."""
    if head[4:8] == b"ftyp":
        return _ftyp_type(head)
    if head[:4] == _EBML_MAGIC:
        return _webm_type(head)
    return None


def sniff(head: bytes) -> MediaType | None:
    """Any type Warta serves, from a file's first bytes (used for files stored before the type
    was recorded, and by the repair migration)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return sniff_video(head)


def read_head(fileobj: IO[bytes]) -> bytes:
    """The first bytes of an open file, leaving its position at the start."""
    fileobj.seek(0)
    head = fileobj.read(_SNIFF_BYTES)
    fileobj.seek(0)
    return head


def check_video(upload: UploadedFile) -> MediaType:
    """The video's type from its first bytes; refuses what is not MP4/MOV/WebM."""
    name = upload.name or ""
    if upload.size > MAX_VIDEO_BYTES:
        raise InvalidUpload(_("%(name)s is larger than 1 GB.") % {"name": name})
    media_type = sniff_video(read_head(upload))
    if media_type is None:
        raise InvalidUpload(
            _("%(name)s is not a video Warta can read (MP4, MOV or WebM).") % {"name": name}
        )
    return media_type

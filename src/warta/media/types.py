"""What a file really is, from its first bytes (never from its name).

``sniff`` answers with the ``MediaType`` of a file Warta stores and serves, or ``None``;
``identify`` names any kind it recognises (``"pdf"``, ``"svg"``, ``"jpeg"``, ...) and
``describe`` turns that into words for a message ("foto.jpg is really a PDF document").
The stored name's extension and the ``Content-Type`` a file is served with always come from the
``MediaType`` detected here. This module has no Django model imports (the benchmark imports it
without settings); ``describe`` translates at call time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

SNIFF_BYTES = 4096


def gettext_noop(message: str) -> str:
    """Marks a msgid for makemessages without touching Django's settings at import (Django's
    own ``gettext_noop`` reads ``USE_I18N``)."""
    return message


@dataclass(frozen=True)
class MediaType:
    """A file type Warta stores and serves: its MIME type and the extension of its stored name."""

    mime: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")


JPEG = MediaType("image/jpeg", "jpg")
PNG = MediaType("image/png", "png")
WEBP = MediaType("image/webp", "webp")
GIF = MediaType("image/gif", "gif")
HEIC = MediaType("image/heic", "heic")
MP4 = MediaType("video/mp4", "mp4")
MOV = MediaType("video/quicktime", "mov")
WEBM = MediaType("video/webm", "webm")

IMAGE_TYPES = (JPEG, PNG, WEBP, GIF, HEIC)
VIDEO_TYPES = (MP4, MOV, WEBM)
MEDIA_TYPES = IMAGE_TYPES + VIDEO_TYPES
BY_MIME = {media_type.mime: media_type for media_type in MEDIA_TYPES}
BY_EXTENSION = {media_type.extension: media_type for media_type in MEDIA_TYPES}
# Other names people give the same types (a file named so is not a "wrong extension").
EXTENSION_ALIASES = {
    "jpeg": JPEG,
    "jpe": JPEG,
    "jfif": JPEG,
    "heif": HEIC,
    "hif": HEIC,
    "m4v": MP4,
    "qt": MOV,
}

# Brands of the ISO base media file format (the ``ftyp`` box of MP4, QuickTime and HEIF files).
_QUICKTIME_BRANDS = {b"qt  "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"M4V ", b"M4VH", b"M4VP", b"dash", b"msnv", b"MSNV",
    b"mmp4", b"XAVC", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"NDAS", b"f4v ",
}  # fmt: skip
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1", b"miaf"}  # structural brands: HEIC unless AVIF is named
_AVIF_BRANDS = {b"avif", b"avis"}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = b"\x42\x82"

# What ``identify`` can name, in words for a message.
_DESCRIPTIONS = {
    "jpeg": gettext_noop("a JPEG photo"),
    "png": gettext_noop("a PNG image"),
    "webp": gettext_noop("a WebP image"),
    "gif": gettext_noop("a GIF image"),
    "heic": gettext_noop("a HEIC photo"),
    "avif": gettext_noop("an AVIF image"),
    "tiff": gettext_noop("a TIFF image"),
    "bmp": gettext_noop("a BMP image"),
    "ico": gettext_noop("an icon file"),
    "psd": gettext_noop("a Photoshop document"),
    "jxl": gettext_noop("a JPEG XL image"),
    "jp2": gettext_noop("a JPEG 2000 image"),
    "svg": gettext_noop("an SVG drawing"),
    "html": gettext_noop("an HTML page"),
    "xml": gettext_noop("an XML document"),
    "pdf": gettext_noop("a PDF document"),
    "postscript": gettext_noop("a PostScript document"),
    "zip": gettext_noop("a ZIP archive"),
    "rar": gettext_noop("a RAR archive"),
    "7z": gettext_noop("a 7-Zip archive"),
    "gzip": gettext_noop("a compressed (gzip) file"),
    "ole": gettext_noop("an old Microsoft Office document"),
    "exe": gettext_noop("a program"),
    "mp4": gettext_noop("an MP4 video"),
    "mov": gettext_noop("a QuickTime video"),
    "webm": gettext_noop("a WebM video"),
    "mkv": gettext_noop("a Matroska video"),
    "avi": gettext_noop("an AVI video"),
    "mp3": gettext_noop("an MP3 audio file"),
    "wav": gettext_noop("a WAV audio file"),
    "ogg": gettext_noop("an Ogg media file"),
    "text": gettext_noop("a text file"),
    "empty": gettext_noop("an empty file"),
    "unknown": gettext_noop("a file of unknown type"),
}
IMAGE_KINDS = frozenset(
    {"jpeg", "png", "webp", "gif", "heic", "avif", "tiff", "bmp", "ico", "psd", "jxl", "jp2"}
)
VIDEO_KINDS = frozenset({"mp4", "mov", "webm", "mkv", "avi"})
_KIND_OF_TYPE = {JPEG: "jpeg", PNG: "png", WEBP: "webp", GIF: "gif", HEIC: "heic"}
_KIND_OF_TYPE |= {MP4: "mp4", MOV: "mov", WEBM: "webm"}

_HTML_TAGS = (
    b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe",
    b"<meta", b"<title", b"<div", b"<style", b"<a ", b"<p>", b"<table", b"<form",
)  # fmt: skip


def media_type_of(content_type: str = "", name: str = "") -> MediaType | None:
    """The known type of a stored file from its recorded MIME type, else its stored name's
    extension (which Warta chose from the content); ``None`` if neither is one Warta serves."""
    if content_type in BY_MIME:
        return BY_MIME[content_type]
    return type_of_extension(name)


def type_of_extension(name: str) -> MediaType | None:
    """The type a file's name claims (``foto.JPEG`` claims JPEG); ``None`` if it claims none."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return BY_EXTENSION.get(extension) or EXTENSION_ALIASES.get(extension)


def _ftyp_brands(head: bytes) -> list[bytes] | None:
    """The major and compatible brands of an ISO BMFF file's leading ``ftyp`` box: its size,
    the major brand, the minor version, then the compatible brands."""
    if head[4:8] != b"ftyp":
        return None
    box_size = int.from_bytes(head[:4], "big")
    if box_size < 16 or box_size % 4 or box_size > len(head):
        return None
    return [head[8:12], *(head[i : i + 4] for i in range(16, box_size, 4))]


def _ftyp_kind(head: bytes) -> str | None:
    brands = _ftyp_brands(head)
    if not brands:
        return None
    major = brands[0]
    if major in _AVIF_BRANDS:
        return "avif"
    if major in _HEIC_BRANDS:
        return "heic"
    if major in _HEIF_BRANDS:
        return "avif" if _AVIF_BRANDS.intersection(brands) else "heic"
    for brand in brands:
        if brand in _QUICKTIME_BRANDS:
            return "mov"
        if brand in _MP4_BRANDS:
            return "mp4"
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


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of the EBML header at the start of a Matroska/WebM file."""
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
            return head[value_at : value_at + value_size]
        at = value_at + value_size
    return None


def _markup_kind(head: bytes) -> str | None:
    """SVG, HTML or other XML from the start of a text file (after a BOM, blanks, an XML
    declaration, comments and a doctype)."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if not text.startswith(b"<"):
        return None
    if b"<svg" in text or b"<!doctype svg" in text:
        return "svg"
    if any(tag in text for tag in _HTML_TAGS):
        return "html"
    if text.startswith(b"<?xml"):
        return "xml"
    return "html"  # a file starting with a tag is served as HTML by browsers that sniff


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a multi-byte character cut at the end is still text
        return error.start >= len(head) - 3
    return True


def identify(head: bytes) -> str:
    """The kind of file its first bytes show, as a key of ``describe``'s table
    (``"jpeg"``, ``"svg"``, ``"pdf"``, ``"zip"``, ``"mp4"``, ..., ``"unknown"``)."""
    if not head:
        return "empty"
    signatures = (
        (b"\xff\xd8\xff", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"GIF87a", "gif"),
        (b"GIF89a", "gif"),
        (b"%PDF-", "pdf"),
        (b"%!PS", "postscript"),
        (b"PK\x03\x04", "zip"),
        (b"PK\x05\x06", "zip"),
        (b"PK\x07\x08", "zip"),
        (b"Rar!\x1a\x07", "rar"),
        (b"7z\xbc\xaf\x27\x1c", "7z"),
        (b"\x1f\x8b", "gzip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
        (b"MZ", "exe"),
        (b"\x7fELF", "exe"),
        (b"II*\x00", "tiff"),
        (b"MM\x00*", "tiff"),
        (b"\x00\x00\x01\x00", "ico"),
        (b"8BPS", "psd"),
        (b"\xff\x0a", "jxl"),
        (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "jxl"),
        (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "jp2"),
        (b"ID3", "mp3"),
        (b"OggS", "ogg"),
    )
    for magic, kind in signatures:
        if head.startswith(magic):
            return kind
    if head[:2] == b"BM" and int.from_bytes(head[14:18], "little") in (12, 40, 52, 56, 108, 124):
        return "bmp"
    if head[:4] == b"RIFF":
        return {b"WEBP": "webp", b"WAVE": "wav", b"AVI ": "avi"}.get(head[8:12], "unknown")
    if head[:4] == _EBML_MAGIC:
        doctype = _ebml_doctype(head)
        return "webm" if doctype == b"webm" else "mkv"
    ftyp = _ftyp_kind(head)
    if ftyp:
        return ftyp
    if head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "mp3"
    markup = _markup_kind(head)
    if markup:
        return markup
    if _is_text(head):
        return "text"
    return "unknown"


_TYPE_OF_KIND = {kind: media_type for media_type, kind in _KIND_OF_TYPE.items()}


def sniff(head: bytes) -> MediaType | None:
    """The type Warta stores a file as, from its first bytes; ``None`` for anything else (an
    SVG, a PDF, an AVIF, ...: ``identify`` names those)."""
    return _TYPE_OF_KIND.get(identify(head))


def sniff_video(head: bytes) -> MediaType | None:
    """MP4, QuickTime or WebM from a file's first bytes."""
    media_type = sniff(head)
    return media_type if media_type in VIDEO_TYPES else None


def sniff_image(head: bytes) -> MediaType | None:
    """JPEG, PNG, WebP, GIF or HEIC from a file's first bytes."""
    media_type = sniff(head)
    return media_type if media_type in IMAGE_TYPES else None


def describe_kind(kind: str) -> str:
    """Words for a kind named by ``identify`` ("a PDF document"), in the active language."""
    return _(_DESCRIPTIONS.get(kind, _DESCRIPTIONS["unknown"]))


def describe(head: bytes) -> str:
    """What a file really is, in words for a message: "an SVG drawing", "a PDF document",
    "a JPEG photo", "an MP4 video", ... (in the active language)."""
    return describe_kind(identify(head))


def describe_type(media_type: MediaType) -> str:
    """Words for a type Warta stores ("a HEIC photo")."""
    return describe_kind(_KIND_OF_TYPE.get(media_type, "unknown"))


def read_head(fileobj: IO[bytes]) -> bytes:
    """The first bytes of an open file, leaving its position at the start."""
    fileobj.seek(0)
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    return head


__all__ = [
    "BY_EXTENSION",
    "BY_MIME",
    "GIF",
    "HEIC",
    "IMAGE_KINDS",
    "IMAGE_TYPES",
    "JPEG",
    "MEDIA_TYPES",
    "MOV",
    "MP4",
    "PNG",
    "SNIFF_BYTES",
    "VIDEO_KINDS",
    "VIDEO_TYPES",
    "WEBM",
    "WEBP",
    "MediaType",
    "describe",
    "describe_kind",
    "describe_type",
    "identify",
    "media_type_of",
    "read_head",
    "sniff",
    "sniff_image",
    "sniff_video",
    "type_of_extension",
]

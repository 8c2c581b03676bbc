"""What a file really is, from its first bytes."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.media import imagegen
from warta.media.types import (
    GIF,
    HEIC,
    JPEG,
    MOV,
    MP4,
    PNG,
    WEBM,
    WEBP,
    describe,
    identify,
    media_type_of,
    sniff,
    sniff_image,
    sniff_video,
    type_of_extension,
)

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
MOV_HEAD = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "
AVIF_HEAD = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf"
HEIF_HEAD = b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"
# An EBML header: DocType "webm" / "matroska"
WEBM_HEAD = b"\x1a\x45\xdf\xa3\x87\x42\x82\x84webm"
MKV_HEAD = b"\x1a\x45\xdf\xa3\x8b\x42\x82\x88matroska"


@pytest.mark.parametrize(
    ("head", "media_type", "words"),
    [
        (imagegen.jpeg_bytes(), JPEG, "a JPEG photo"),
        (imagegen.png_bytes(), PNG, "a PNG image"),
        (imagegen.webp_bytes(), WEBP, "a WebP image"),
        (imagegen.gif_bytes(), GIF, "a GIF image"),
        (imagegen.heic_bytes(), HEIC, "a HEIC photo"),
        (HEIF_HEAD, HEIC, "a HEIC photo"),
        (MP4_HEAD, MP4, "an MP4 video"),
        (MOV_HEAD, MOV, "a QuickTime video"),
        (WEBM_HEAD, WEBM, "a WebM video"),
        (MKV_HEAD, None, "a Matroska video"),
        (AVIF_HEAD, None, "an AVIF image"),
        (imagegen.tiff_bytes(), None, "a TIFF image"),
        (imagegen.svg_bytes(), None, "an SVG drawing"),
        (b"\xef\xbb\xbf  <!-- x --><svg/>", None, "an SVG drawing"),
        (imagegen.html_bytes(), None, "an HTML page"),
        (b"<?xml version='1.0'?><rss/>", None, "an XML document"),
        (imagegen.pdf_bytes(), None, "a PDF document"),
        (imagegen.zip_bytes(), None, "a ZIP archive"),
        (b"Rapat koordinasi\n", None, "a text file"),
        (b"BM is not a bitmap here", None, "a text file"),
        (b"", None, "an empty file"),
        (bytes(range(256)), None, "a file of unknown type"),
    ],
)
def test_sniff_and_describe(head, media_type, words):
    assert sniff(head) == media_type
    with translation.override("en"):
        assert describe(head) == words


def test_polyglot_is_what_it_starts_with():
    assert identify(imagegen.polyglot_jpeg_zip()) == "jpeg"


def test_image_and_video_sniffers_keep_to_their_kind():
    assert sniff_image(MP4_HEAD) is None and sniff_video(MP4_HEAD) == MP4
    assert sniff_video(imagegen.jpeg_bytes()) is None and sniff_image(HEIF_HEAD) == HEIC


def test_types_from_names_and_mime():
    assert type_of_extension("IMG_0001.HEIF") == HEIC
    assert type_of_extension("foto.JPEG") == JPEG
    assert type_of_extension("berkas") is None
    assert media_type_of("video/webm", "x.jpg") == WEBM
    assert media_type_of("", "x.png") == PNG

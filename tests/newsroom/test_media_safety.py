"""A media file can never be served as something a browser runs: the type comes from the
content (recorded on the asset and rendition), every answer sandboxes it, and a type Warta does
not serve is only ever a download. Byte ranges keep the same headers.

(Upload checks — the type found in the content, decompression bombs — are tested with the media
upload code in ``tests/media``.)
"""

from __future__ import annotations

import struct

import pytest
from django.urls import reverse

from tests.media.servingkit import add_asset, add_rendition, basename, body_of, make_media
from warta.media import types
from warta.media.serving import MEDIA_CSP
from warta.newsroom.models import Photo


@pytest.fixture(autouse=True)
def _plain_serving(settings):
    settings.WARTA_MEDIA_ACCEL = ""


def assert_safe(response, content_type: str, filename: str, disposition: str = "inline") -> None:
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy == MEDIA_CSP
    assert policy.startswith("sandbox;") and "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response["Content-Disposition"].startswith(f'{disposition}; filename="{filename}"')


@pytest.mark.django_db
@pytest.mark.parametrize("hostile", ["foto-kegiatan.html", "gambar.svg", "skrip.js"])
def test_a_file_named_like_a_page_is_served_as_its_detected_type(client, people, hostile):
    media = make_media(people["humas"])
    media.photo.original_name = hostile
    media.photo.save(update_fields=["original_name"])
    stem = hostile.rsplit(".", 1)[0]
    client.force_login(people["humas"])
    original = client.get(reverse("newsroom:media_file", args=[media.photo.pk, "original"]))
    assert original.status_code == 200
    assert_safe(original, "image/jpeg", f"{stem}.jpg")
    web = client.get(reverse("newsroom:media_file", args=[media.photo.pk, "web-webp"]))
    assert_safe(web, "image/webp", f"{stem}-web-webp.webp")

    media.publish()
    client.logout()
    rendition = media.renditions[media.photo.pk]["web-jpeg"][0]
    public = client.get(reverse("site:rendition", args=[basename(rendition)]))
    assert public.status_code == 200
    assert_safe(public, "image/jpeg", f"{stem}-web-jpeg.jpg")


@pytest.mark.django_db
@pytest.mark.parametrize("recorded", ["text/html", "image/svg+xml", "application/pdf", ""])
def test_a_type_warta_does_not_serve_is_only_a_download(client, people, new_item, recorded):
    item = new_item(photos=0)
    asset = add_asset(
        people["humas"],
        kind="photo",
        content=b"<svg onload=alert(1)>",
        content_type=recorded,
        extension="bin",
        name="gambar.svg",
    )
    Photo.objects.create(item=item, asset=asset)
    add_rendition(asset, "thumb", b"<html><script>alert(1)</script>", recorded, "bin")
    client.force_login(people["humas"])
    for spec, filename in (("original", "gambar.bin"), ("thumb", "gambar-thumb.bin")):
        response = client.get(reverse("newsroom:media_file", args=[asset.pk, spec]))
        assert response.status_code == 200
        assert_safe(response, "application/octet-stream", filename, disposition="attachment")


@pytest.mark.django_db
def test_byte_ranges_of_a_published_video_keep_the_headers(client, people):
    media = make_media(people["humas"])
    media.publish()
    rendition, content = media.renditions[media.video.pk]["mp4"]
    url = reverse("site:rendition", args=[basename(rendition)])
    part = client.get(url, HTTP_RANGE="bytes=4-7")
    assert part.status_code == 206 and body_of(part) == b"ftyp"
    assert_safe(part, "video/mp4", "rekaman-mp4.mp4")
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(content)}-")
    assert beyond.status_code == 416
    assert_safe(beyond, "video/mp4", "rekaman-mp4.mp4")


def mp4_head(major: bytes = b"isom", *compatible: bytes) -> bytes:
    brands = b"".join(compatible or (b"isom", b"mp41"))
    box = major + b"\0\0\x02\0" + brands
    return struct.pack(">I", 8 + len(box)) + b"ftyp" + box + b"\0\0\0\x08free" + bytes(512)


def webm_head(doc_type: bytes = b"webm") -> bytes:
    fields = (
        b"\x42\x86\x81\x01"  # EBMLVersion 1
        + b"\x42\xf7\x81\x01"  # EBMLReadVersion 1
        + b"\x42\x82"
        + bytes([0x80 | len(doc_type)])
        + doc_type  # DocType
        + b"\x42\x87\x81\x04"  # DocTypeVersion 4
    )
    return b"\x1a\x45\xdf\xa3" + bytes([0x80 | len(fields)]) + fields + bytes(256)


def test_video_types_come_from_the_container_not_the_name():
    assert types.sniff(mp4_head()) == types.MP4
    assert types.sniff(mp4_head(b"mp42", b"mp42", b"isom")) == types.MP4
    assert types.sniff(mp4_head(b"qt  ", b"qt  ")) == types.MOV
    assert types.sniff(mp4_head(b"XYZ1", b"XYZ1", b"isom")) == types.MP4  # a compatible brand
    assert types.sniff(webm_head()) == types.WEBM
    # An HEIF/AVIF photo shares the ftyp box; Matroska that is not WebM; a page; nothing.
    assert types.sniff(mp4_head(b"heic", b"mif1", b"heic")) == types.HEIC
    assert types.sniff(mp4_head(b"avif", b"avif", b"mif1", b"miaf")) is None
    assert types.sniff(webm_head(b"matroska")) is None
    assert types.sniff(b"<html><script>alert(1)</script>") is None
    assert types.sniff(b"") is None
    assert types.sniff(b"\0\0\0\x08ftyp") is None  # a box too short to hold a brand
    assert types.sniff_video(mp4_head(b"heic", b"mif1", b"heic")) is None
    assert types.media_type_of("text/html", "x.html") is None

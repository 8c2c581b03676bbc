"""``warta.media.serving.serve`` on a local storage: through Python with byte ranges, through
nginx (X-Accel-Redirect) or X-Sendfile; the protective headers on every answer; the settings
read from the environment (``warta.config.storage``)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.test import RequestFactory

from tests.media.servingkit import body_of, mp4_bytes
from warta.config.storage import media_settings_from_env, storages_from_env
from warta.media.models import Rendition
from warta.media.serving import (
    MEDIA_CSP,
    PRIVATE_CACHE,
    PUBLIC_CACHE,
    content_disposition,
    etag_of,
    parse_range,
    serve,
)

CONTENT = mp4_bytes(b"0123456789")
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WARTA_MEDIA_ACCEL = ""
    settings.WARTA_MEDIA_ACCEL_PREFIX = "/_warta_media/"


@pytest.fixture
def stored() -> FieldFile:
    name = default_storage.save(f"media/renditions/{SHA[:2]}/{SHA}.mp4", ContentFile(CONTENT))
    return FieldFile(None, Rendition._meta.get_field("file"), name)


def get(**headers):
    return RequestFactory().get("/x", headers=headers)


def answer(field_file, request=None, *, content_type="video/mp4", public=True, name="rapat.mov"):
    return serve(
        request or get(),
        field_file,
        content_type=content_type,
        download_name=name,
        public=public,
    )


def assert_protected(response, content_type="video/mp4", filename="rapat.mp4"):
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == MEDIA_CSP
    assert response["Content-Disposition"].endswith(f"filename*=UTF-8''{filename}")


def test_the_whole_file_and_its_headers(stored):
    response = answer(stored)
    assert response.status_code == 200
    assert body_of(response) == CONTENT
    assert_protected(response)
    assert response["Cache-Control"] == PUBLIC_CACHE
    assert response["ETag"] == f'"{SHA}"'
    assert response["Accept-Ranges"] == "bytes"
    private = answer(stored, public=False)
    assert private["Cache-Control"] == PRIVATE_CACHE == "private, no-store"


def test_byte_ranges(stored):
    size = len(CONTENT)
    part = answer(stored, get(Range="bytes=4-7"))
    assert part.status_code == 206
    assert body_of(part) == b"ftyp"
    assert part["Content-Range"] == f"bytes 4-7/{size}"
    assert part["Content-Length"] == "4"
    assert_protected(part)
    tail = answer(stored, get(Range="bytes=-10"))
    assert tail.status_code == 206 and body_of(tail) == b"0123456789"
    beyond = answer(stored, get(Range=f"bytes={size}-"))
    assert beyond.status_code == 416
    assert beyond["Content-Range"] == f"bytes */{size}"
    assert_protected(beyond)
    # Several ranges, or a malformed one: the whole file.
    whole = answer(stored, get(Range="bytes=0-1,4-5"))
    assert whole.status_code == 200 and body_of(whole) == CONTENT
    # A copy the browser already has is not sent again.
    unchanged = answer(stored, get(If_None_Match=f'"{SHA}"'))
    assert unchanged.status_code == 304 and unchanged["ETag"] == f'"{SHA}"'


def test_parse_range():
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=5-", 10) == (5, 9)
    assert parse_range("bytes=5-100", 10) == (5, 9)
    assert parse_range("bytes=-3", 10) == (7, 9)
    assert parse_range("bytes=-30", 10) == (0, 9)
    assert parse_range("bytes=10-", 10) is False
    assert parse_range("bytes=7-3", 10) is False
    assert parse_range("bytes=-0", 10) is False
    assert parse_range("bytes=-", 10) is None
    assert parse_range("items=0-1", 10) is None


def test_nginx_sends_the_file(stored, settings):
    settings.WARTA_MEDIA_ACCEL = "nginx"
    response = answer(stored, public=False)
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_warta_media/{stored.name}"
    assert_protected(response)
    assert response["Cache-Control"] == PRIVATE_CACHE
    settings.WARTA_MEDIA_ACCEL_PREFIX = "/intern"
    assert answer(stored)["X-Accel-Redirect"] == f"/intern/{stored.name}"


def test_sendfile_names_the_absolute_path(stored, settings):
    settings.WARTA_MEDIA_ACCEL = "sendfile"
    response = answer(stored)
    assert response.content == b""
    assert response["X-Sendfile"] == str(settings.MEDIA_ROOT / stored.name)
    assert_protected(response)


@pytest.mark.parametrize("accel", ["", "nginx", "sendfile"])
def test_a_missing_file_is_404_in_every_mode(stored, settings, accel):
    settings.WARTA_MEDIA_ACCEL = accel
    default_storage.delete(stored.name)
    with pytest.raises(Http404):
        answer(stored)
    with pytest.raises(Http404):
        answer(FieldFile(None, Rendition._meta.get_field("file"), ""))


def test_a_type_warta_does_not_serve_is_a_download(stored):
    response = answer(stored, content_type="text/html", name="page.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith('attachment; filename="page.bin"')
    assert response["X-Content-Type-Options"] == "nosniff"


def test_etag_only_for_names_made_of_a_hash():
    assert etag_of(f"media/renditions/ab/{SHA}.jpg") == f'"{SHA}"'
    assert etag_of(f"media/renditions/ab/{SHA}_x1Yz2.jpg") == f'"{SHA}"'
    assert etag_of("media/originals/0123abcd.jpg") is None


def test_content_disposition_names_are_made_safe():
    assert content_disposition('a"; filename=x.html', "png", fallback="foto-1") == (
        "inline; filename=\"a-filename-x.png\"; filename*=UTF-8''a-%20filename%3Dx.png"
    )
    assert content_disposition("Rapat Ñusantara–2026.JPG", "jpg", fallback="foto-1") == (
        'inline; filename="Rapat-Nusantara-2026.jpg"; '
        "filename*=UTF-8''Rapat%20%C3%91usantara%E2%80%932026.jpg"
    )
    assert content_disposition("../../etc/passwd", "png", fallback="foto-1").startswith(
        'inline; filename="passwd.png"'
    )
    assert content_disposition("C:\\Users\\x\\foto.jpg", "jpg", fallback="f").startswith(
        'inline; filename="foto.jpg"'
    )
    assert content_disposition("", "png", fallback="foto-7").startswith(
        'inline; filename="foto-7.png"'
    )
    assert "\r" not in content_disposition("a\r\nSet-Cookie: x=1.jpg", "jpg", fallback="f")
    # A type Warta does not know is never shown inline.
    assert content_disposition("x.html", "bin", fallback="foto-7").startswith("attachment;")


# --- settings from the environment ---------------------------------------------------------------


def test_local_storage_by_default():
    assert storages_from_env({}) == {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    }
    assert media_settings_from_env({}) == {
        "WARTA_MEDIA_ACCEL": "",
        "WARTA_MEDIA_ACCEL_PREFIX": "/_warta_media/",
        "WARTA_MEDIA_URL_SECONDS": 300,
    }


def test_s3_storage_from_the_environment():
    environ = {
        "WARTA_S3_BUCKET": "warta-media",
        "WARTA_S3_ENDPOINT_URL": "https://s3.example.go.id",
        "WARTA_S3_REGION": "ap-southeast-3",
        "WARTA_S3_ACCESS_KEY_ID": "id",
        "WARTA_S3_SECRET_ACCESS_KEY": "secret",
        "WARTA_S3_PREFIX": "/warta/",
        "WARTA_S3_ADDRESSING_STYLE": "path",
        "WARTA_MEDIA_URL_SECONDS": "120",
    }
    storage = storages_from_env(environ)["default"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"] == {
        "bucket_name": "warta-media",
        "endpoint_url": "https://s3.example.go.id",
        "region_name": "ap-southeast-3",
        "access_key": "id",
        "secret_key": "secret",
        "location": "warta",
        "addressing_style": "path",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 120,
        "file_overwrite": False,
        "signature_version": "s3v4",
    }


@pytest.mark.parametrize(
    "environ",
    [
        {"WARTA_MEDIA_ACCEL": "apache"},
        {"WARTA_MEDIA_ACCEL_PREFIX": "_warta_media/"},
        {"WARTA_MEDIA_URL_SECONDS": "0"},
        {"WARTA_MEDIA_URL_SECONDS": "a week"},
        {"WARTA_MEDIA_URL_SECONDS": "604801"},
    ],
)
def test_wrong_media_settings_stop_start_up(environ):
    with pytest.raises(ImproperlyConfigured):
        media_settings_from_env(environ)


def test_a_wrong_addressing_style_stops_start_up():
    with pytest.raises(ImproperlyConfigured):
        storages_from_env({"WARTA_S3_BUCKET": "b", "WARTA_S3_ADDRESSING_STYLE": "sideways"})

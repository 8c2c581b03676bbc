"""The tus 1.0.0 server over HTTP (Django's test client)."""

from __future__ import annotations

import base64
import io
import os

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from warta.media import uploads
from warta.media.models import Upload

TUS = {"HTTP_TUS_RESUMABLE": "1.0.0"}
OCTETS = "application/offset+octet-stream"
MB = 1024 * 1024


@pytest.fixture
def limits(settings, tmp_path):
    settings.WARTA_UPLOAD_DIR = tmp_path / "uploads"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WARTA_MEDIA_MAX_PHOTO_MB = 1
    settings.WARTA_MEDIA_MAX_VIDEO_MB = 2
    settings.WARTA_UPLOAD_EXPIRE_HOURS = 1
    settings.WARTA_UPLOAD_CHUNK_MB = 1
    return settings


@pytest.fixture
def humas(make_user, humas_sop, limits):
    return make_user("humas", "staf_humas")


@pytest.fixture
def client(humas):
    client = Client()
    client.force_login(humas)
    return client


def metadata(**pairs: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client, length: int, **meta: str):
    meta = {"filename": "rapat.jpg", "kind": "photo", **meta}
    return client.post(
        reverse("media:tus"),
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=metadata(**meta),
        **TUS,
    )


def patch(client, url: str, offset: int, data: bytes, **extra):
    """A PATCH as the browser sends it: a POST with X-HTTP-Method-Override (tus core)."""
    headers = {"HTTP_UPLOAD_OFFSET": str(offset), "HTTP_X_HTTP_METHOD_OVERRIDE": "PATCH", **TUS}
    return client.generic("POST", url, data=data, content_type=OCTETS, **{**headers, **extra})


def delete(client, url: str, **extra):
    return client.post(url, HTTP_X_HTTP_METHOD_OVERRIDE="DELETE", **{**TUS, **extra})


def head_offset(client, url: str) -> int:
    response = client.head(url, **TUS)
    assert response.status_code == 200
    return int(response["Upload-Offset"])


def part_files(settings) -> list[str]:
    folder = settings.WARTA_UPLOAD_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


class BrokenStream:
    """The body of a request whose client lost its connection after ``data``."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        piece = self.data.read(size)
        if not piece:
            raise OSError("connection reset by peer")
        return piece

    readline = read


@pytest.fixture
def real_methods(settings):
    """Without the middleware that keeps pages to GET, HEAD and POST (warta.ui.methods)."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "warta.ui.methods.PageMethodsMiddleware"
    ]


def test_options_tells_the_version_extensions_and_limit(client, real_methods):
    response = client.options(reverse("media:tus"))

    assert response.status_code == 204
    assert response["Tus-Version"] == "1.0.0"
    assert set(response["Tus-Extension"].split(",")) == {"creation", "termination", "expiration"}
    assert response["Tus-Max-Size"] == str(2 * MB)


def test_create_head_patch_in_chunks_until_complete(client, humas):
    data = os.urandom(2500)

    created = create(client, len(data), filename="Rapat Bupati – ü.jpg", target="item:3")

    assert created.status_code == 201
    assert created["Tus-Resumable"] == "1.0.0"
    upload = Upload.objects.get()
    url = reverse("media:tus_upload", args=[upload.pk])
    assert created["Location"] == f"http://testserver{url}"
    assert created["Upload-Expires"].endswith(" GMT")
    assert (upload.owner, upload.filename, upload.kind, upload.target, upload.length) == (
        humas,
        "Rapat Bupati – ü.jpg",
        "photo",
        "item:3",
        2500,
    )
    head = client.head(url, **TUS)
    assert (head.status_code, head["Upload-Offset"], head["Upload-Length"]) == (200, "0", "2500")
    assert head["Cache-Control"] == "no-store"

    for start in range(0, len(data), 1000):
        response = patch(client, url, start, data[start : start + 1000])
        assert response.status_code == 204
        assert response["Upload-Offset"] == str(min(start + 1000, len(data)))
        assert response["Upload-Expires"]

    assert head_offset(client, url) == 2500
    assert uploads.part_path(upload.pk).read_bytes() == data
    # The tus view creates no asset: the page's "attach" does.
    assert Upload.objects.get().complete


def test_a_chunk_at_the_wrong_offset_gets_409_and_changes_nothing(client):
    url = create(client, 100)["Location"]
    patch(client, url, 0, b"a" * 40)

    response = patch(client, url, 10, b"b" * 30)

    assert response.status_code == 409
    assert "40" in response.json()["error"]
    assert head_offset(client, url) == 40
    assert uploads.part_path(Upload.objects.get().pk).read_bytes() == b"a" * 40


def test_an_interrupted_chunk_keeps_what_arrived_and_the_upload_resumes(client):
    url = create(client, 1000)["Location"]

    response = patch(
        client,
        url,
        0,
        b"",
        **{
            "wsgi.input": BrokenStream(b"x" * 300),
            "CONTENT_LENGTH": "600",
            "CONTENT_TYPE": OCTETS,
        },
    )

    assert response.status_code == 400
    assert response["Upload-Offset"] == "300"
    assert head_offset(client, url) == 300
    assert patch(client, url, 300, b"y" * 700).status_code == 204
    assert uploads.part_path(Upload.objects.get().pk).read_bytes() == b"x" * 300 + b"y" * 700


def test_termination_deletes_the_upload_and_its_part(client, limits):
    url = create(client, 100)["Location"]
    patch(client, url, 0, b"a" * 40)

    response = delete(client, url)

    assert response.status_code == 204
    assert not Upload.objects.exists()
    assert part_files(limits) == []
    assert client.head(url, **TUS).status_code == 404
    assert patch(client, url, 40, b"a").status_code == 404


def test_an_expired_upload_is_404(client):
    url = create(client, 100)["Location"]
    Upload.objects.update(expires_at=timezone.now())

    assert client.head(url, **TUS).status_code == 404
    response = patch(client, url, 0, b"a")
    assert response.status_code == 404
    assert response.json()["error"]


def test_another_persons_upload_is_404(client, make_user):
    url = create(client, 100)["Location"]
    other = Client()
    other.force_login(make_user("humas2", "staf_humas"))

    assert other.head(url, **TUS).status_code == 404
    assert patch(other, url, 0, b"a" * 10).status_code == 404
    assert delete(other, url).status_code == 404
    assert head_offset(client, url) == 0


def test_a_length_over_the_limit_is_413_and_creates_nothing(client, limits):
    response = create(client, MB + 1, filename="besar.jpg")

    assert response.status_code == 413
    assert "besar.jpg" in response.json()["error"]
    assert not Upload.objects.exists()
    assert part_files(limits) == []
    assert create(client, MB + 1, kind="video").status_code == 201  # a video may be 2 MB


def test_without_tus_resumable_412(client):
    response = client.post(reverse("media:tus"), HTTP_UPLOAD_LENGTH="10")
    assert response.status_code == 412
    assert response["Tus-Version"] == "1.0.0"
    assert not Upload.objects.exists()

    url = create(client, 10)["Location"]
    assert client.head(url).status_code == 412
    response = patch(client, url, 0, b"abc", HTTP_TUS_RESUMABLE="0.2.2")
    assert response.status_code == 412
    assert head_offset(client, url) == 0


def test_a_patch_of_the_wrong_type_is_415(client):
    url = create(client, 10)["Location"]

    response = patch(client, url, 0, b"abc", CONTENT_TYPE="text/plain")

    assert response.status_code == 415
    assert head_offset(client, url) == 0


def test_a_chunk_over_the_chunk_limit_is_413(client):
    url = create(client, 2 * MB, kind="video")["Location"]

    response = patch(client, url, 0, b"abc", CONTENT_LENGTH=str(MB + 1))

    assert response.status_code == 413
    assert head_offset(client, url) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_UPLOAD_LENGTH": "abc"},
        {"HTTP_UPLOAD_LENGTH": "-5"},
        {},
        {"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "filename !!!notbase64"},
        {"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "a YQ==,a YQ=="},
        {"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": "filename /w=="},  # not UTF-8
        {"HTTP_UPLOAD_LENGTH": "10", "HTTP_UPLOAD_METADATA": metadata(kind="audio")},
        {"HTTP_UPLOAD_DEFER_LENGTH": "1"},
        {"HTTP_UPLOAD_LENGTH": "9" * 40},
    ],
)
def test_bad_creation_headers_are_400_with_a_message(client, headers, limits):
    response = client.post(reverse("media:tus"), **TUS, **headers)

    assert response.status_code == 400
    assert response.json()["error"]
    assert not Upload.objects.exists()
    assert part_files(limits) == []


@pytest.mark.parametrize("offset", ["", "x", "-1", "1.5"])
def test_a_bad_offset_is_400(client, offset):
    url = create(client, 10)["Location"]

    response = patch(client, url, 0, b"abc", HTTP_UPLOAD_OFFSET=offset)

    assert response.status_code == 400
    assert head_offset(client, url) == 0


def test_get_is_not_allowed(client):
    url = create(client, 10)["Location"]

    assert client.get(reverse("media:tus"), **TUS).status_code == 405
    assert client.get(url, **TUS).status_code == 405


def test_anonymous_and_people_without_a_role_cannot_upload(humas_sop, make_user, limits):
    anonymous = Client()
    response = anonymous.post(reverse("media:tus"), HTTP_UPLOAD_LENGTH="10", **TUS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("ui:login"))

    outsider = Client()
    outsider.force_login(make_user("tamu"))
    assert outsider.post(reverse("media:tus"), HTTP_UPLOAD_LENGTH="10", **TUS).status_code == 403
    assert not Upload.objects.exists()


def test_writes_need_the_csrf_token(humas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(humas)
    client.get(reverse("newsroom:inbox"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    refused = client.post(reverse("media:tus"), HTTP_UPLOAD_LENGTH="10", **TUS)
    accepted = client.post(
        reverse("media:tus"), HTTP_UPLOAD_LENGTH="10", HTTP_X_CSRFTOKEN=token, **TUS
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201
    url = accepted["Location"]
    assert patch(client, url, 0, b"abc").status_code == 403
    assert patch(client, url, 0, b"abc", HTTP_X_CSRFTOKEN=token).status_code == 204


def test_real_patch_and_delete_work_where_the_server_lets_them_through(client, real_methods):
    url = create(client, 6)["Location"]

    response = client.generic(
        "PATCH", url, b"abc", content_type=OCTETS, HTTP_UPLOAD_OFFSET="0", **TUS
    )
    assert (response.status_code, response["Upload-Offset"]) == (204, "3")
    assert client.delete(url, **TUS).status_code == 204
    assert not Upload.objects.exists()


def test_only_a_post_may_override_its_method(client):
    url = create(client, 10)["Location"]

    response = client.get(url, HTTP_X_HTTP_METHOD_OVERRIDE="DELETE", **TUS)
    assert response.status_code == 405
    assert Upload.objects.exists()
    assert client.post(url, HTTP_X_HTTP_METHOD_OVERRIDE="PUT", **TUS).status_code == 405

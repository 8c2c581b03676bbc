"""Media on S3-compatible object storage, against a real S3 server (moto's) started here.

The default storage becomes ``storages.backends.s3.S3Storage`` configured the way
``warta.config.storage.storages_from_env`` configures production; files are written through the
storage API. Warta answers a permitted request with a redirect to a presigned URL; the object
store then serves the bytes with the type and name Warta chose. A private object cannot be
fetched without a signature, and a signed URL stops working when it expires.

moto (5.2) checks neither the signature nor the expiry of a presigned URL, so the server here
puts a small checker in front of it that does what S3 does: recompute the SigV4 query
signature (with botocore, from the same secret) and refuse an altered or expired URL with 403.
"""

from __future__ import annotations

import datetime as dt
import threading
import urllib.error
import urllib.request
from email.message import Message
from urllib.parse import parse_qsl, urlencode

import boto3
import pytest
import time_machine
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from django.urls import reverse
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import make_server

from tests.media.servingkit import basename, make_media
from warta.config.storage import storages_from_env
from warta.media.serving import MEDIA_CSP, PRIVATE_CACHE, PUBLIC_CACHE

BUCKET = "warta-media"
REGION = "us-east-1"
KEY_ID, SECRET = "AKIAWARTATESTKEY0001", "warta-test-secret"


def _forbidden(start_response, reason: str):
    start_response("403 Forbidden", [("Content-Type", "application/xml")])
    return [f"<Error><Code>AccessDenied</Code><Message>{reason}</Message></Error>".encode()]


def check_presigned(environ) -> str:
    """Why S3 would refuse this presigned request ("" if it would not)."""
    params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    given = params.pop("X-Amz-Signature")
    signed_at = dt.datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    if dt.datetime.now(dt.UTC) > signed_at + dt.timedelta(seconds=int(params["X-Amz-Expires"])):
        return "Request has expired"
    own = {k: v for k, v in params.items() if not k.startswith("X-Amz-")}
    host = environ["HTTP_HOST"]
    url = f"http://{host}{environ['PATH_INFO']}" + (f"?{urlencode(own)}" if own else "")
    request = AWSRequest(method=environ["REQUEST_METHOD"], url=url, headers={"host": host})
    request.context["timestamp"] = params["X-Amz-Date"]
    auth = S3SigV4QueryAuth(Credentials(KEY_ID, SECRET), "s3", REGION, int(params["X-Amz-Expires"]))
    auth._modify_request_before_signing(request)
    wanted = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
    return "" if wanted == given else "SignatureDoesNotMatch"


def presign_checker(app):
    def checked(environ, start_response):
        if "X-Amz-Signature" in environ.get("QUERY_STRING", ""):
            reason = check_presigned(environ)
            if reason:
                return _forbidden(start_response, reason)
        return app(environ, start_response)

    return checked


@pytest.fixture(scope="module")
def s3_endpoint():
    app = presign_checker(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def s3(settings, s3_endpoint, monkeypatch):
    # Nothing of the machine's own AWS set-up may leak in.
    for variable in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(variable, raising=False)
    environ = {
        "WARTA_S3_BUCKET": BUCKET,
        "WARTA_S3_ENDPOINT_URL": s3_endpoint,
        "WARTA_S3_REGION": REGION,
        "WARTA_S3_ACCESS_KEY_ID": KEY_ID,
        "WARTA_S3_SECRET_ACCESS_KEY": SECRET,
        "WARTA_S3_PREFIX": "test-media",
        "WARTA_S3_ADDRESSING_STYLE": "path",
    }
    # Django resets default_storage when STORAGES changes.
    settings.STORAGES = {**settings.STORAGES, **storages_from_env(environ)}
    settings.WARTA_MEDIA_URL_SECONDS = 300
    return s3_endpoint


@pytest.fixture
def people(humas_sop, make_user):
    return {"humas": make_user("humas", "staf_humas"), "outsider": make_user("tamu")}


def fetch(url: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def assert_redirect(response, endpoint: str) -> str:
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{endpoint}/{BUCKET}/test-media/media/")
    assert "X-Amz-Signature=" in location
    assert response["Cache-Control"] == PRIVATE_CACHE
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == MEDIA_CSP
    return location


@pytest.mark.django_db
def test_draft_media_on_s3_only_through_signed_urls(client, people, s3):
    media = make_media(people["humas"])
    assert media.photo.original.name.startswith("media/originals/")
    direct = f"{s3}/{BUCKET}/test-media/{media.photo.original.name}"
    assert fetch(direct)[0] == 403  # the bucket is private

    original_url = reverse("newsroom:media_file", args=[media.photo.pk, "original"])
    for who in (None, people["outsider"]):
        if who:
            client.force_login(who)
        assert client.get(original_url).status_code in (302, 403, 404)
        assert "X-Amz-Signature" not in client.get(original_url).get("Location", "")

    client.force_login(people["humas"])
    response = client.get(original_url)
    location = assert_redirect(response, s3)
    status, headers, body = fetch(location)
    assert status == 200
    assert body == media.originals[media.photo.pk]
    assert headers["Content-Type"] == "image/jpeg"
    assert headers["Content-Disposition"] == response["Content-Disposition"]
    assert headers["Content-Disposition"].startswith('inline; filename="Rapat-Nusantara')
    assert headers["Cache-Control"] == PRIVATE_CACHE

    video = client.get(reverse("newsroom:media_file", args=[media.video.pk, "mp4"]))
    status, headers, body = fetch(assert_redirect(video, s3))
    assert status == 200 and headers["Content-Type"] == "video/mp4"
    assert body == media.renditions[media.video.pk]["mp4"][1]

    # Another type than the one Warta signed: refused.
    altered = location.replace("image%2Fjpeg", "text%2Fhtml")
    assert altered != location
    assert fetch(altered)[0] == 403

    # Drafts are not on the public site, on S3 either.
    client.logout()
    for _asset, rendition, _content in media.all_renditions():
        assert client.get(reverse("site:rendition", args=[basename(rendition)])).status_code == 404


@pytest.mark.django_db
def test_a_signed_url_stops_working_when_it_expires(client, people, s3, settings):
    media = make_media(people["humas"])
    client.force_login(people["humas"])
    settings.WARTA_MEDIA_URL_SECONDS = 60
    start = dt.datetime.now(dt.UTC)
    with time_machine.travel(start, tick=False):
        location = client.get(reverse("newsroom:media_file", args=[media.photo.pk, "thumb"]))[
            "Location"
        ]
    assert "X-Amz-Expires=60" in location
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        assert fetch(location)[0] == 200
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        status, _headers, body = fetch(location)
    assert status == 403
    assert b"expired" in body


@pytest.mark.django_db
def test_published_renditions_on_s3_are_cacheable_the_original_is_not_public(client, people, s3):
    media = make_media(people["humas"])
    media.publish()
    for _asset, rendition, content in media.all_renditions():
        response = client.get(reverse("site:rendition", args=[basename(rendition)]))
        status, headers, body = fetch(assert_redirect(response, s3))
        assert status == 200 and body == content
        assert headers["Content-Type"] == rendition.content_type
        assert headers["Cache-Control"] == PUBLIC_CACHE
    for asset in (media.photo, media.video):
        name = asset.original.name.rsplit("/", 1)[-1]
        assert client.get(reverse("site:rendition", args=[name])).status_code == 404
        assert fetch(f"{s3}/{BUCKET}/test-media/{asset.original.name}")[0] == 403


@pytest.mark.django_db
def test_a_file_missing_from_the_bucket_is_404(client, people, s3):
    from django.core.files.storage import default_storage

    media = make_media(people["humas"])
    default_storage.delete(media.photo.original.name)
    client.force_login(people["humas"])
    url = reverse("newsroom:media_file", args=[media.photo.pk, "original"])
    assert client.get(url).status_code == 404

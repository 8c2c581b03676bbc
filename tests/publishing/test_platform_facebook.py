"""Contract tests of the Facebook Page connector against the fake Graph API."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest

from tests.publishing.fakes.meta import (
    EXPIRED_TOKEN,
    MP4_BYTES,
    PAGE_TOKEN,
    FakeMeta,
    graph_error,
    jpeg_bytes,
    rate_limited,
)
from warta.publishing.platforms import platform_class
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    MediaFile,
    MediaRejected,
    Permanent,
    Post,
    Remote,
    TokenExpired,
    Transient,
)
from warta.publishing.platforms.facebook import FacebookPage


@pytest.fixture
def fake():
    server = FakeMeta().start()
    yield server
    server.stop()


def page(fake: FakeMeta, *, token: str = PAGE_TOKEN, timeout: float = 5.0) -> FacebookPage:
    account = AccountConfig(
        code="fb-humas",
        name="Humas di Facebook",
        platform="facebook",
        external_id=fake.page_id,
        base_url=fake.url,
        credentials={"access_token": token},
    )
    return FacebookPage(account, timeout=timeout)


def photo(name: str = "foto-1.jpg", data: bytes | None = None, alt: str = "") -> MediaFile:
    data = data if data is not None else jpeg_bytes()
    return MediaFile(
        kind="photo",
        name=name,
        content_type="image/jpeg",
        size=len(data),
        open=lambda: io.BytesIO(data),
        alt_text=alt,
    )


def video(data: bytes = MP4_BYTES, duration: float = 30.0) -> MediaFile:
    return MediaFile(
        kind="video",
        name="video.mp4",
        content_type="video/mp4",
        size=len(data),
        open=lambda: io.BytesIO(data),
        duration=duration,
    )


def post(caption: str = "Kuliah umum keimigrasian di aula kantor.", **kwargs) -> Post:
    return Post(key="warta-1-1", title="Kuliah Umum", caption=caption, **kwargs)


def a_minute_ago() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)


def test_registered_under_its_code():
    assert platform_class("facebook") is FacebookPage
    assert FacebookPage.docs.startswith("https://developers.facebook.com/")


def test_connection_names_the_page_and_a_token_that_does_not_expire(fake):
    info = page(fake).test_connection()
    assert info.name == "Humas Kota Contoh"
    assert info.expires_at is None  # Page tokens from a long-lived user token: expires_at 0
    assert fake.server.requests("GET", r"/v[\d.]+/debug_token")


def test_publish_one_photo(fake):
    remote = page(fake).publish(post(photos=(photo(alt="Peserta kuliah umum"),)))
    [upload] = fake.server.requests("POST", r"/v[\d.]+/1000/photos")
    parts = upload.multipart()
    assert parts["source"][1].startswith(b"\xff\xd8")
    assert fake.params(upload)["message"] == "Kuliah umum keimigrasian di aula kantor."
    assert fake.params(upload)["alt_text_custom"] == "Peserta kuliah umum"
    made = fake.posts[remote.external_id]
    assert made["message"] == "Kuliah umum keimigrasian di aula kantor."
    assert remote.url == "https://www.facebook.com/" + remote.external_id.replace("_", "/posts/")
    assert remote.published_at is not None


def test_publish_several_photos_as_one_post(fake):
    photos = tuple(photo(f"foto-{n}.jpg", jpeg_bytes((n * 40, 10, 10))) for n in range(3))
    remote = page(fake).publish(post(photos=photos))
    uploads = fake.server.requests("POST", r"/v[\d.]+/1000/photos")
    assert [fake.params(u)["published"] for u in uploads] == ["false"] * 3
    [feed] = fake.server.requests("POST", r"/v[\d.]+/1000/feed")
    form = fake.params(feed)
    attached = [json.loads(form[f"attached_media[{n}]"])["media_fbid"] for n in range(3)]
    assert attached == remote.extra["photo_ids"]
    assert fake.posts[remote.external_id]["photos"] == attached
    assert len(fake.posts) == 1  # the unpublished uploads made no posts of their own


def test_too_many_photos_are_refused_before_sending(fake):
    photos = tuple(photo(f"f{n}.jpg") for n in range(FacebookPage.max_photos + 1))
    with pytest.raises(Permanent):
        page(fake).publish(post(photos=photos))
    assert fake.server.log == []


def test_publish_a_video(fake):
    remote = page(fake).publish(post(video=video()))
    [upload] = fake.server.requests("POST", r"/v[\d.]+/1000/videos")
    assert upload.multipart()["source"][1] == MP4_BYTES
    assert fake.params(upload)["description"] == "Kuliah umum keimigrasian di aula kantor."
    assert remote.extra == {"kind": "video"}
    assert remote.url == f"https://www.facebook.com/1000/videos/{remote.external_id}/"


def test_a_video_over_the_simple_upload_limit_is_refused_before_sending(fake):
    with pytest.raises(MediaRejected):
        page(fake).publish(post(video=video(duration=21 * 60)))
    assert fake.server.log == []


def test_update_changes_the_text(fake):
    connector = page(fake)
    remote = connector.publish(post(photos=(photo(),)))
    connector.update(remote, post("Teks yang sudah dibetulkan."))
    assert fake.posts[remote.external_id]["message"] == "Teks yang sudah dibetulkan."
    clip = connector.publish(post(video=video()))
    connector.update(clip, post("Deskripsi video baru."))
    assert fake.videos[clip.external_id]["description"] == "Deskripsi video baru."


def test_withdraw_removes_the_post_and_is_idempotent(fake):
    connector = page(fake)
    remote = connector.publish(post(photos=(photo(),)))
    connector.withdraw(remote)
    assert remote.external_id not in fake.posts
    connector.withdraw(remote)  # already gone: nothing to do
    assert connector.status(remote) is None


def test_a_lost_answer_is_ambiguous_and_find_locates_the_post(fake):
    photos = (photo("a.jpg"), photo("b.jpg"))
    handled, release = fake.server.hold_next("POST", r"/v[\d.]+/1000/feed")
    try:
        with pytest.raises(Ambiguous):
            page(fake, timeout=0.5).publish(post(photos=photos))
        assert handled.is_set()
    finally:
        release.set()
    found = page(fake).find(post(photos=photos), a_minute_ago())
    assert found is not None
    assert found.external_id in fake.posts
    assert found.url.startswith("https://www.facebook.com/")
    assert page(fake).find(post("Teks lain yang tidak pernah dikirim."), a_minute_ago()) is None


def test_find_ignores_posts_before_since(fake):
    page(fake).publish(post(photos=(photo(),)))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    assert page(fake).find(post(), later) is None


def test_expired_token(fake):
    with pytest.raises(TokenExpired) as caught:
        page(fake, token=EXPIRED_TOKEN).publish(post(photos=(photo(),)))
    assert "Reconnect" in caught.value.advice
    with pytest.raises(TokenExpired):
        page(fake, token="not-a-token").test_connection()


def test_rate_limited_is_transient_with_the_documented_wait(fake):
    fake.server.fail_next("POST", r"/v[\d.]+/1000/photos", rate_limited(32, minutes=7))
    with pytest.raises(Transient) as caught:
        page(fake).publish(post(photos=(photo(),)))
    assert caught.value.retry_after == 7 * 60
    assert fake.posts == {}


def test_rejected_media(fake):
    with pytest.raises(MediaRejected):
        page(fake).publish(post(photos=(photo(data=b"this is not an image"),)))
    with pytest.raises(MediaRejected):
        page(fake).publish(post(video=video(data=b"RIFF....AVI LIST")))
    assert fake.posts == {} and fake.videos == {}


def test_a_server_error_after_a_create_is_ambiguous_but_not_after_a_read(fake):
    fake.server.fail_next(
        "POST", r"/v[\d.]+/1000/feed", graph_error(2, "Service temporarily unavailable", status=500)
    )
    with pytest.raises(Ambiguous):
        page(fake).publish(post(photos=(photo("a.jpg"), photo("b.jpg"))))
    fake.server.fail_next(
        "GET", r"/v[\d.]+/1000/posts", graph_error(2, "Service temporarily unavailable", status=500)
    )
    with pytest.raises(Transient):
        page(fake).find(post(), a_minute_ago())


def test_a_text_over_the_limit_is_refused_before_sending(fake):
    with pytest.raises(Permanent):
        page(fake).publish(post("x" * (FacebookPage.caption_limit + 1), photos=(photo(),)))
    assert fake.server.log == []


def test_permalink_read_back_failing_does_not_fail_the_publication(fake):
    fake.server.fail_next("GET", r"/v[\d.]+/1000_\d+", graph_error(2, "Temporary", status=500))
    remote = page(fake).publish(post(photos=(photo(),)))
    assert remote.external_id in fake.posts
    assert remote.url == f"https://www.facebook.com/{remote.external_id}"


def test_status_reads_the_post(fake):
    connector = page(fake)
    remote = connector.publish(post(photos=(photo(),)))
    seen = connector.status(Remote(external_id=remote.external_id))
    assert seen is not None and seen.url == remote.url

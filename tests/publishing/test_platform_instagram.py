"""Contract tests of the Instagram connector against the fake Graph API."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import pytest

from tests.publishing.fakes.meta import (
    EXPIRED_TOKEN,
    IG_TOKEN,
    MP4_BYTES,
    FakeMeta,
    graph_error,
    jpeg_bytes,
    png_bytes,
    rate_limited,
)
from warta.publishing.platforms import platform_class
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    MediaFile,
    MediaRejected,
    NotSupported,
    Permanent,
    Post,
    TokenExpired,
    Transient,
)
from warta.publishing.platforms.instagram import Instagram


@pytest.fixture
def fake():
    server = FakeMeta().start()
    yield server
    server.stop()


def account(fake: FakeMeta, *, token: str = IG_TOKEN, **options: str) -> AccountConfig:
    return AccountConfig(
        code="ig-humas",
        name="Humas di Instagram",
        platform="instagram",
        external_id=fake.ig_id,
        handle="humaskotacontoh",
        base_url=fake.url,
        credentials={"access_token": token},
        options={"poll_interval": "0.01", **options},
    )


def insta(fake: FakeMeta, *, token: str = IG_TOKEN, timeout: float = 5.0, **options) -> Instagram:
    return Instagram(account(fake, token=token, **options), timeout=timeout)


def photo(
    fake: FakeMeta, name: str = "foto-1.jpg", data: bytes | None = None, alt: str = ""
) -> MediaFile:
    data = data if data is not None else jpeg_bytes()
    return MediaFile(
        kind="photo",
        name=name,
        content_type="image/jpeg",
        size=len(data),
        open=lambda: io.BytesIO(data),
        public_url=fake.host(name, data, "image/jpeg"),
        alt_text=alt,
    )


def clip(fake: FakeMeta, data: bytes = MP4_BYTES) -> MediaFile:
    return MediaFile(
        kind="video",
        name="reel.mp4",
        content_type="video/mp4",
        size=len(data),
        open=lambda: io.BytesIO(data),
        public_url=fake.host("reel.mp4", data, "video/mp4"),
        duration=20.0,
    )


def post(caption: str = "Kuliah umum keimigrasian #humas", **kwargs) -> Post:
    return Post(key="warta-1-1", title="Kuliah Umum", caption=caption, **kwargs)


def a_minute_ago() -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)


def media_requests(fake: FakeMeta):
    return [fake.params(r) for r in fake.server.requests("POST", r"/v[\d.]+/\d+/media")]


def test_registered_under_its_code_and_pulls_public_media():
    assert platform_class("instagram") is Instagram
    assert Instagram.needs_public_media is True
    assert Instagram.docs.startswith("https://developers.facebook.com/")


def test_connection_names_the_account_and_the_token_expiry(fake):
    info = insta(fake).test_connection()
    assert info.name == "humaskotacontoh"
    assert info.expires_at == dt.datetime.fromtimestamp(1_900_000_000, tz=dt.UTC)


def test_publish_one_photo(fake):
    image = photo(fake, alt="Peserta kuliah umum")
    remote = insta(fake).publish(post(photos=(image,)))
    [container] = media_requests(fake)
    assert container["image_url"] == image.public_url
    assert container["caption"] == "Kuliah umum keimigrasian #humas"
    assert container["alt_text"] == "Peserta kuliah umum"
    [publish] = fake.server.requests("POST", r"/v[\d.]+/\d+/media_publish")
    assert fake.params(publish)["creation_id"] == remote.extra["container_id"]
    assert fake.media[remote.external_id]["caption"] == "Kuliah umum keimigrasian #humas"
    assert remote.url == f"https://www.instagram.com/p/C{remote.external_id}/"


def test_publish_a_carousel(fake):
    photos = tuple(photo(fake, f"f{n}.jpg", jpeg_bytes((n * 50, 0, 0))) for n in range(3))
    remote = insta(fake).publish(post(photos=photos))
    *children, parent = media_requests(fake)
    assert [c["is_carousel_item"] for c in children] == ["true"] * 3
    assert all("caption" not in c for c in children)
    assert parent["media_type"] == "CAROUSEL"
    assert parent["caption"] == "Kuliah umum keimigrasian #humas"
    assert len(parent["children"].split(",")) == 3
    assert fake.media[remote.external_id]["type"] == "CAROUSEL"
    assert len(fake.media) == 1


def test_more_than_ten_photos_are_refused_before_sending(fake):
    photos = tuple(photo(fake, f"f{n}.jpg") for n in range(11))
    with pytest.raises(Permanent):
        insta(fake).publish(post(photos=photos))
    assert [r for r in fake.server.log if "/public/" not in r.path] == []


def test_the_fake_refuses_a_carousel_of_eleven(fake):
    ids = []
    for n in range(11):
        answer = httpx.post(
            f"{fake.url}/v25.0/{fake.ig_id}/media",
            data={
                "image_url": photo(fake, f"x{n}.jpg").public_url,
                "is_carousel_item": "true",
                "access_token": IG_TOKEN,
            },
        )
        ids.append(answer.json()["id"])
    answer = httpx.post(
        f"{fake.url}/v25.0/{fake.ig_id}/media",
        data={"media_type": "CAROUSEL", "children": ",".join(ids), "access_token": IG_TOKEN},
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100


def test_publish_a_reel_waits_for_processing(fake):
    ticks = []
    connector = Instagram(account(fake), progress=lambda: ticks.append(1))
    remote = connector.publish(post(video=clip(fake)))
    [container] = media_requests(fake)
    assert container["media_type"] == "REELS"
    assert container["video_url"].endswith("/public/reel.mp4")
    assert "alt_text" not in container
    polls = [r for r in fake.server.log if r.query.get("fields") == "status_code,status"]
    assert len(polls) == fake.video_polls + 1
    assert ticks
    assert fake.media[remote.external_id]["type"] == "REELS"


def test_processing_that_never_ends_is_bounded_and_publishes_nothing(fake):
    fake.video_polls = 1000
    with pytest.raises(Transient):
        insta(fake, poll_max="3").publish(post(video=clip(fake)))
    polls = [r for r in fake.server.log if r.query.get("fields") == "status_code,status"]
    assert len(polls) == 3
    assert fake.media == {}


def test_update_is_not_supported(fake):
    connector = insta(fake)
    remote = connector.publish(post(photos=(photo(fake),)))
    with pytest.raises(NotSupported):
        connector.update(remote, post("Teks baru"))
    assert fake.media[remote.external_id]["caption"] == "Kuliah umum keimigrasian #humas"


def test_withdraw_deletes_the_media(fake):
    connector = insta(fake)
    remote = connector.publish(post(photos=(photo(fake),)))
    connector.withdraw(remote)
    assert remote.external_id not in fake.media
    assert fake.server.requests("DELETE", rf"/v[\d.]+/{remote.external_id}")
    assert connector.status(remote) is None
    connector.withdraw(remote)  # already gone


def test_a_lost_publish_answer_is_ambiguous_and_find_locates_the_media(fake):
    handled, release = fake.server.hold_next("POST", r"/v[\d.]+/\d+/media_publish")
    try:
        with pytest.raises(Ambiguous):
            insta(fake, timeout=0.5).publish(post(photos=(photo(fake),)))
        assert handled.is_set()
    finally:
        release.set()
    found = insta(fake).find(post(), a_minute_ago())
    assert found is not None
    assert found.external_id in fake.media
    assert found.url.startswith("https://www.instagram.com/p/")
    assert insta(fake).find(post("Takarir yang tidak pernah dikirim"), a_minute_ago()) is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    assert insta(fake).find(post(), later) is None


def test_a_lost_container_answer_is_only_transient(fake):
    handled, release = fake.server.hold_next("POST", r"/v[\d.]+/\d+/media")
    try:
        with pytest.raises(Transient):
            insta(fake, timeout=0.5).publish(post(photos=(photo(fake),)))
        assert handled.is_set()  # the container was made; only the answer was lost
    finally:
        release.set()
    assert fake.media == {}


def test_expired_token(fake):
    with pytest.raises(TokenExpired):
        insta(fake, token=EXPIRED_TOKEN).publish(post(photos=(photo(fake),)))
    with pytest.raises(TokenExpired):
        insta(fake, token="").test_connection()


def test_rate_limited_is_transient_with_the_documented_wait(fake):
    fake.server.fail_next("POST", r"/v[\d.]+/\d+/media", rate_limited(80002, minutes=3))
    with pytest.raises(Transient) as caught:
        insta(fake).publish(post(photos=(photo(fake),)))
    assert caught.value.retry_after == 180
    assert fake.media == {}


def test_publishing_limit_reached(fake):
    fake.quota_total = 1
    insta(fake).publish(post(photos=(photo(fake),)))
    with pytest.raises(Transient) as caught:
        insta(fake).publish(post("Kiriman kedua", photos=(photo(fake, "b.jpg"),)))
    assert caught.value.retry_after == 3600
    assert len(fake.media) == 1


def test_publishing_limit_answer_from_media_publish(fake):
    fake.server.fail_next(
        "POST",
        r"/v[\d.]+/\d+/media_publish",
        graph_error(9, "You reached maximum number of posts", subcode=2207042),
    )
    with pytest.raises(Transient):
        insta(fake).publish(post(photos=(photo(fake),)))
    assert fake.media == {}


def test_rejected_media(fake):
    png = photo(fake, "bukan-jpeg.jpg", data=png_bytes())  # announced as JPEG, is a PNG
    with pytest.raises(MediaRejected):
        insta(fake).publish(post(photos=(png,)))
    unreachable = MediaFile(
        kind="photo",
        name="hilang.jpg",
        content_type="image/jpeg",
        size=10,
        open=lambda: io.BytesIO(b""),
        public_url=f"{fake.url}/public/tidak-ada.jpg",
    )
    with pytest.raises(MediaRejected):
        insta(fake).publish(post(photos=(unreachable,)))
    with pytest.raises(MediaRejected):
        insta(fake).publish(post(video=clip(fake, data=b"RIFF....AVI LIST" * 4)))
    assert fake.media == {}


def test_a_photo_that_is_not_jpeg_is_refused_before_sending(fake):
    data = png_bytes()
    image = MediaFile(
        kind="photo",
        name="foto.png",
        content_type="image/png",
        size=len(data),
        open=lambda: io.BytesIO(data),
        public_url=fake.host("foto.png", data, "image/png"),
    )
    with pytest.raises(MediaRejected):
        insta(fake).publish(post(photos=(image,)))
    assert media_requests(fake) == []


@pytest.mark.parametrize(
    "caption",
    [
        "x" * 2201,
        " ".join(f"#tag{n}" for n in range(31)),
        " ".join(f"@akun{n}" for n in range(21)),
    ],
)
def test_captions_over_the_documented_limits(fake, caption):
    with pytest.raises(Permanent):
        insta(fake).publish(post(caption, photos=(photo(fake),)))
    assert media_requests(fake) == []
    # The fake refuses them the same way when they are sent anyway.
    answer = httpx.post(
        f"{fake.url}/v25.0/{fake.ig_id}/media",
        data={"image_url": photo(fake).public_url, "caption": caption, "access_token": IG_TOKEN},
    )
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 100


def test_a_caption_at_the_limits_is_accepted(fake):
    caption = " ".join(f"#t{n}" for n in range(30))
    remote = insta(fake).publish(post(caption, photos=(photo(fake),)))
    assert fake.media[remote.external_id]["caption"] == caption


def test_media_without_a_public_address_is_refused(fake):
    data = jpeg_bytes()
    private = MediaFile(
        kind="photo",
        name="foto.jpg",
        content_type="image/jpeg",
        size=len(data),
        open=lambda: io.BytesIO(data),
    )
    with pytest.raises(Permanent):
        insta(fake).publish(post(photos=(private,)))
    assert fake.server.log == []


def test_find_follows_pages_and_the_token_stays_out_of_urls(fake):
    connector = insta(fake)
    first = connector.publish(post("Kiriman pertama", photos=(photo(fake, "a.jpg"),)))
    connector.publish(post("Kiriman kedua", photos=(photo(fake, "b.jpg"),)))
    connector.publish(post("Kiriman ketiga", photos=(photo(fake, "c.jpg"),)))
    fake.page_cap = 1
    found = connector.find(post("Kiriman pertama"), a_minute_ago())
    assert found is not None and found.external_id == first.external_id
    listings = fake.server.requests("GET", r"/v[\d.]+/\d+/media")
    assert len(listings) == 3
    assert all("access_token" not in r.query for r in fake.server.log)
    assert all(r.headers.get("authorization") == f"Bearer {IG_TOKEN}" for r in listings)


def test_aspect_ratio_outside_4_5_to_1_91_1(fake):
    tall = jpeg_bytes(size=(40, 120))
    unknown_size = photo(fake, "tinggi.jpg", data=tall)  # width/height not given: the fake says no
    with pytest.raises(MediaRejected):
        insta(fake).publish(post(photos=(unknown_size,)))
    assert len(media_requests(fake)) == 1
    known = MediaFile(
        kind="photo",
        name="tinggi.jpg",
        content_type="image/jpeg",
        size=len(tall),
        open=lambda: io.BytesIO(tall),
        public_url=unknown_size.public_url,
        width=40,
        height=120,
    )
    with pytest.raises(MediaRejected):
        insta(fake).publish(post(photos=(known,)))
    assert len(media_requests(fake)) == 1  # refused before sending
    assert fake.media == {}

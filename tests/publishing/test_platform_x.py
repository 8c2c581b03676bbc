"""Contract tests of the X connector against the local fake of the X API v2."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from tests.publishing.fakes.x import XFake, oauth_error, problem, rate_limited
from warta.publishing.platforms import platform_class
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    MediaFile,
    MediaRejected,
    NotSupported,
    Permanent,
    Post,
    Remote,
    TokenExpired,
    Transient,
)
from warta.publishing.platforms.x import X, weighted_length


@pytest.fixture
def fake():
    server = XFake().start()
    yield server
    server.stop()


def account(fake: XFake, credentials: dict | None = None, **options: str) -> AccountConfig:
    return AccountConfig(
        code="x-humas",
        name="X Humas",
        platform="x",
        external_id=fake.user["id"],
        handle="humaspoltekim",
        base_url=fake.url,
        credentials=credentials or {"access_token": fake.token},
        options={"poll_interval": "0.01", "token_url": f"{fake.url}/2/oauth2/token", **options},
    )


def connector(fake: XFake, *, timeout: float = 5.0, **options: str) -> X:
    return X(account(fake, **options), timeout=timeout)


def jpeg(name: str = "foto.jpg", alt: str = "Peserta kuliah umum", **kw) -> MediaFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "JPEG")
    data = buffer.getvalue()
    defaults = {"content_type": "image/jpeg", "size": len(data), "alt_text": alt}
    defaults.update(kw)
    return MediaFile(kind="photo", name=name, open=lambda: io.BytesIO(data), **defaults)


def mp4(size: int = 300_000, duration: float = 30.0) -> MediaFile:
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(size - 12)
    return MediaFile(
        kind="video",
        name="video.mp4",
        content_type="video/mp4",
        size=len(data),
        open=lambda: io.BytesIO(data),
        duration=duration,
    )


def post(caption: str = "Kuliah umum keimigrasian di Aula Poltekim.", **kw) -> Post:
    return Post(key="warta-12-x", title="Kuliah Umum", caption=caption, **kw)


def test_registered_under_its_code():
    assert platform_class("x") is X


def test_caption_length_follows_the_weighted_count():
    assert weighted_length("Halo Indonesia") == 14
    assert weighted_length("Baca https://www.poltekim.ac.id/berita/2026/kuliah-umum-panjang") == 28
    assert weighted_length("Selamat 🎉") == 10  # emoji 2
    assert weighted_length("👨‍👩‍👧‍👦") == 2  # a family: one ZWJ sequence
    assert weighted_length("👍🏽") == 2  # skin tone modifier joins the emoji
    assert weighted_length("🇮🇩") == 2  # a flag is one emoji
    assert weighted_length("日本") == 4  # CJK weighs 2
    assert weighted_length("café") == weighted_length("cafe\u0301") == 4  # NFC
    assert weighted_length("“kutip” — ok") == 12  # general punctuation U+2010–201F weighs 1
    assert weighted_length("…") == 2  # U+2026 is outside the light ranges


def test_test_connection_names_the_account(fake):
    info = connector(fake).test_connection()
    assert info.name == "@humaspoltekim"
    assert "1500" in info.detail
    assert fake.server.requests("GET", r"/2/users/me")[0].bearer() == fake.token


def test_publish_single_photo_with_alt_text(fake):
    remote = connector(fake).publish(post(photos=(jpeg(),)))
    tweet = fake.tweets[remote.external_id]
    assert tweet.sent_text == "Kuliah umum keimigrasian di Aula Poltekim."
    assert len(tweet.media_ids) == 1
    assert fake.media[tweet.media_ids[0]].alt_text == "Peserta kuliah umum"
    assert remote.url == f"https://x.com/humaspoltekim/status/{remote.external_id}"
    upload = fake.server.requests("POST", r"/2/media/upload")[0]
    assert upload.multipart()["media_category"][1] == b"tweet_image"
    assert upload.multipart()["media"][1][:2] == b"\xff\xd8"  # the JPEG itself


def test_publish_four_photos(fake):
    photos = tuple(jpeg(f"foto{i}.jpg") for i in range(4))
    remote = connector(fake).publish(post(photos=photos))
    assert len(fake.tweets[remote.external_id].media_ids) == 4
    assert remote.extra["media_ids"] == fake.tweets[remote.external_id].media_ids


def test_more_than_four_photos_is_refused_before_sending(fake):
    photos = tuple(jpeg(f"foto{i}.jpg") for i in range(5))
    with pytest.raises(MediaRejected):
        connector(fake).publish(post(photos=photos))
    assert fake.server.log == []


def test_publish_video_in_chunks_and_waits_for_processing(fake):
    video = mp4(size=250_000)
    remote = connector(fake, chunk_size="100000").publish(post(video=video))
    tweet = fake.tweets[remote.external_id]
    item = fake.media[tweet.media_ids[0]]
    assert item.kind == "video" and item.state == "succeeded"
    assert item.received == {0: 100_000, 1: 100_000, 2: 50_000}
    assert len(fake.server.requests("GET", r"/2/media/upload")) == fake.processing_polls
    init = fake.server.requests("POST", r"/2/media/upload/initialize")[0].json()
    assert init == {
        "media_type": "video/mp4",
        "total_bytes": 250_000,
        "media_category": "tweet_video",
    }


def test_video_that_fails_processing_is_rejected_media(fake):
    fake.video_fails = True
    with pytest.raises(MediaRejected) as caught:
        connector(fake).publish(post(video=mp4()))
    assert "Unsupported video format" in caught.value.message
    assert fake.tweets == {}


def test_rejected_media_type_is_media_rejected(fake):
    photo = jpeg(content_type="image/heic")
    with pytest.raises(MediaRejected):
        connector(fake).publish(post(photos=(photo,)))
    assert fake.tweets == {}


def test_too_long_caption_is_permanent_and_not_sent(fake):
    with pytest.raises(Permanent):
        connector(fake).publish(post(caption="a" * 281))
    assert fake.server.log == []


def test_update_edits_within_the_window(fake):
    x = connector(fake)
    first = x.publish(post(photos=(jpeg(),)))
    edited = x.update(first, post(caption="Kuliah umum keimigrasian (ralat jam)."))
    assert edited.external_id != first.external_id  # every edit gets a new id
    tweet = fake.tweets[edited.external_id]
    assert tweet.sent_text == "Kuliah umum keimigrasian (ralat jam)."
    assert tweet.history == [first.external_id, edited.external_id]
    assert tweet.media_ids == first.extra["media_ids"]
    body = fake.server.requests("POST", r"/2/tweets")[-1].json()
    assert body["edit_options"] == {"previous_post_id": first.external_id}


def test_update_after_the_edit_window_is_not_supported(fake):
    old = Remote(external_id="1", published_at=timezone.now() - dt.timedelta(minutes=31))
    with pytest.raises(NotSupported):
        connector(fake).update(old, post())
    assert fake.server.log == []


def test_withdraw_deletes_and_tolerates_a_gone_post(fake):
    x = connector(fake)
    remote = x.publish(post())
    x.withdraw(remote)
    assert fake.tweets[remote.external_id].deleted
    assert x.status(remote) is None
    x.withdraw(remote)  # already gone: nothing to do


def test_status_of_a_live_post(fake):
    x = connector(fake)
    remote = x.publish(post())
    seen = x.status(remote)
    assert seen is not None and seen.external_id == remote.external_id


def test_find_locates_a_post_made_by_an_ambiguous_attempt(fake):
    since = timezone.now() - dt.timedelta(seconds=5)
    caption = "Wisuda taruna 2026 & pelantikan. Info: https://www.poltekim.ac.id/berita/wisuda"
    handled, release = fake.server.hold_next("POST", r"/2/tweets")
    try:
        with pytest.raises(Ambiguous):
            connector(fake, timeout=0.5).publish(post(caption=caption, photos=(jpeg(),)))
        assert handled.is_set()  # X made the post; only the answer was lost
    finally:
        release.set()
    found = connector(fake).find(post(caption=caption), since)
    assert found is not None
    assert fake.tweets[found.external_id].sent_text == caption


def test_find_returns_none_when_there_is_no_such_post(fake):
    x = connector(fake)
    since = timezone.now() - dt.timedelta(minutes=1)
    x.publish(post(caption="Pos lain yang tidak dicari."))
    assert x.find(post(caption="Pos yang tidak pernah dibuat."), since) is None
    query = fake.server.requests("GET", r"/2/users/1500/tweets")[0].query
    assert query["start_time"].endswith("Z") and query["max_results"] == "100"


def test_find_pages_through_the_timeline(fake):
    x = connector(fake)
    since = timezone.now() - dt.timedelta(minutes=1)
    target = x.publish(post(caption="Yang pertama."))
    for i in range(105):
        fake._create({"text": f"Pos nomor {i}"})
    found = x.find(post(caption="Yang pertama."), since)
    assert found is not None and found.external_id == target.external_id
    assert len(fake.server.requests("GET", r"/2/users/1500/tweets")) == 2


def test_expired_token_is_token_expired(fake):
    stale = connector(fake)
    fake.token = "a-newer-token"  # the account's token no longer valid
    with pytest.raises(TokenExpired):
        stale.publish(post())
    assert fake.tweets == {}
    with pytest.raises(TokenExpired):
        X(AccountConfig(code="x", name="x", platform="x", base_url=fake.url)).test_connection()


def test_rate_limited_is_transient_with_the_reset_time(fake):
    fake.server.fail_next("POST", r"/2/tweets", rate_limited(reset_in=120))
    with pytest.raises(Transient) as caught:
        connector(fake).publish(post())
    assert 100 <= caught.value.retry_after <= 121
    assert fake.tweets == {}


def test_server_error_on_create_is_ambiguous_but_on_read_transient(fake):
    fake.server.fail_next("POST", r"/2/tweets", problem(503, "Service Unavailable"))
    with pytest.raises(Ambiguous):
        connector(fake).publish(post())
    fake.server.fail_next("GET", r"/2/users/me", problem(503, "Service Unavailable"))
    with pytest.raises(Transient):
        connector(fake).test_connection()


def test_forbidden_is_permanent_with_x_words(fake):
    reply = problem(
        403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
    )
    fake.server.fail_next("POST", r"/2/tweets", reply)
    with pytest.raises(Permanent) as caught:
        connector(fake).publish(post())
    assert "duplicate content" in caught.value.message


# --- token renewal ---------------------------------------------------------------------------
class Saved:
    """A ``save_credentials`` callable that records what it received, and whether X had already
    seen the new access token when it was called (it must not have)."""

    def __init__(self, fake: XFake) -> None:
        self.fake = fake
        self.calls: list[tuple[dict, dt.datetime | None]] = []
        self.used_before_saved = False

    def __call__(self, credentials: dict, expires_at: dt.datetime | None) -> None:
        token = credentials.get("access_token")
        self.used_before_saved |= any(r.bearer() == token for r in self.fake.server.log)
        self.calls.append((credentials, expires_at))


def renewing(fake: XFake, saved: Saved, *, timeout: float = 5.0, **extra: str) -> X:
    credentials = {
        "access_token": fake.token,
        "refresh_token": fake.refresh_token,
        "client_id": fake.client_id,
        **extra,
    }
    return X(account(fake, credentials), timeout=timeout, save_credentials=saved)


def test_expired_token_is_renewed_once_and_the_post_succeeds(fake):
    saved = Saved(fake)
    x = renewing(fake, saved)
    fake.expire()
    before = timezone.now()
    remote = x.publish(post(photos=(jpeg(),)))
    assert fake.tweets[remote.external_id].sent_text == post().caption
    assert fake.renewals == 1
    ((credentials, expires_at),) = saved.calls
    assert credentials == {
        "access_token": fake.token,
        "refresh_token": fake.refresh_token,  # the new one: the old is spent
        "access_token_expires_at": expires_at.isoformat(),
    }
    assert fake.refresh_token != "x-refresh-0" and "x-refresh-0" in fake.spent_refresh_tokens
    assert (
        before + dt.timedelta(seconds=7190)
        <= expires_at
        <= timezone.now() + dt.timedelta(seconds=7200)
    )
    assert not saved.used_before_saved
    form = fake.server.requests("POST", r"/2/oauth2/token")[0]
    assert form.form() == {
        "grant_type": "refresh_token",
        "refresh_token": "x-refresh-0",
        "client_id": "x-client-id",
    }
    assert "authorization" not in form.headers  # a public client: no Basic auth
    uploads = fake.server.requests("POST", r"/2/media/upload")
    assert [u.bearer() for u in uploads] == ["x-user-token", fake.token]  # refused, then retried
    assert len(fake.server.requests("POST", r"/2/tweets")) == 1


def test_stored_expiry_renews_before_the_first_request(fake):
    saved = Saved(fake)
    past = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    x = renewing(fake, saved, access_token_expires_at=past)
    info = x.test_connection()
    assert [r.path for r in fake.server.log] == ["/2/oauth2/token", "/2/users/me"]
    assert fake.server.log[1].bearer() == fake.token == saved.calls[0][0]["access_token"]
    assert info.expires_at == saved.calls[0][1]


def test_an_unexpired_stored_token_is_used_as_it_is(fake):
    saved = Saved(fake)
    later = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    renewing(fake, saved, access_token_expires_at=later).test_connection()
    assert fake.renewals == 0 and saved.calls == []


def test_confidential_client_renews_with_basic_auth(fake):
    fake.client_secret = "x-secret"
    saved = Saved(fake)
    x = renewing(fake, saved, client_secret="x-secret")
    fake.expire()
    x.publish(post())
    request = fake.server.requests("POST", r"/2/oauth2/token")[0]
    assert request.headers["authorization"].startswith("Basic ")
    assert "client_id" not in request.form()
    assert len(saved.calls) == 1 and len(fake.live_tweets()) == 1


def test_wrong_client_secret_is_token_expired_about_the_client(fake):
    fake.client_secret = "x-secret"
    x = renewing(fake, Saved(fake), client_secret="wrong")
    fake.expire()
    with pytest.raises(TokenExpired) as caught:
        x.publish(post())
    assert "client" in caught.value.advice
    assert fake.tweets == {}


def test_spent_refresh_token_is_token_expired(fake):
    saved = Saved(fake)
    first = renewing(fake, saved)
    fake.expire()
    first.test_connection()  # renews: x-refresh-0 is now spent
    stale = X(
        account(
            fake,
            {
                "access_token": "x-user-token",
                "refresh_token": "x-refresh-0",
                "client_id": "x-client-id",
            },
        ),
        timeout=5.0,
        save_credentials=saved,
    )
    fake.expire()
    with pytest.raises(TokenExpired) as caught:
        stale.publish(post())
    assert "Value passed for the token was invalid." in caught.value.message
    assert "Reconnect" in caught.value.advice
    assert len(saved.calls) == 1  # only the first renewal was kept
    assert fake.tweets == {}


def test_revoked_refresh_token_is_token_expired(fake):
    saved = Saved(fake)
    x = renewing(fake, saved)
    fake.revoke()
    with pytest.raises(TokenExpired):
        x.publish(post())
    assert saved.calls == [] and fake.tweets == {}


def test_renewal_is_not_repeated_in_a_loop(fake):
    saved = Saved(fake)
    x = renewing(fake, saved)
    for _ in range(3):  # X keeps refusing even the renewed token
        fake.server.fail_next("POST", r"/2/tweets", problem(401, "Unauthorized"))
    with pytest.raises(TokenExpired):
        x.publish(post())
    assert fake.renewals == 1 and len(saved.calls) == 1
    assert len(fake.server.requests("POST", r"/2/tweets")) == 2  # the first try and one retry


def test_a_renewed_token_that_is_refused_is_not_renewed_again(fake):
    fake.token_lifetime = 0  # every renewed token is refused at once
    saved = Saved(fake)
    past = (timezone.now() - dt.timedelta(minutes=5)).isoformat()
    x = renewing(fake, saved, access_token_expires_at=past)
    with pytest.raises(TokenExpired):
        x.publish(post(photos=(jpeg(),)))
    assert fake.renewals == 1 and len(saved.calls) == 1
    assert len(fake.server.requests("POST", r"/2/media/upload")) == 1


def test_renewal_when_x_is_busy_is_transient(fake):
    x = renewing(fake, Saved(fake))
    fake.expire()
    fake.server.fail_next(
        "POST", r"/2/oauth2/token", oauth_error(503, "server_error", "Service Unavailable")
    )
    with pytest.raises(Transient):
        x.publish(post())
    assert fake.tweets == {}

"""Contract tests of the TikTok connector against the local fake of the Content Posting API."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from tests.publishing.fakes.tiktok import MB, TikTokFake, answer, oauth_error
from warta.publishing.platforms import platform_class
from warta.publishing.platforms.base import (
    AccountConfig,
    Ambiguous,
    CannotCheck,
    MediaFile,
    MediaRejected,
    NotSupported,
    Permanent,
    Post,
    Remote,
    TokenExpired,
    Transient,
)
from warta.publishing.platforms.tiktok import TikTok, chunk_plan, utf16_length


@pytest.fixture
def fake():
    server = TikTokFake().start()
    yield server
    server.stop()


def connector(
    fake: TikTokFake,
    *,
    timeout: float = 5.0,
    credentials: dict | None = None,
    save_credentials=None,
    **options: str,
) -> TikTok:
    config = AccountConfig(
        code="tiktok-humas",
        name="TikTok Humas",
        platform="tiktok",
        external_id="open-1",
        handle="humaspoltekim",
        base_url=fake.url,
        credentials=credentials or {"access_token": fake.token},
        options={"poll_interval": "0.01", "token_url": f"{fake.url}/v2/oauth/token/", **options},
    )
    return TikTok(config, timeout=timeout, save_credentials=save_credentials)


def mp4(size: int = 200_000, duration: float = 45.0) -> MediaFile:
    data = b"\x00\x00\x00\x18ftypmp42" + bytes(size - 12)
    return MediaFile(
        kind="video",
        name="video.mp4",
        content_type="video/mp4",
        size=len(data),
        open=lambda: io.BytesIO(data),
        duration=duration,
    )


def photo(i: int, prefix: str = "https://poltekim.example.id/media/") -> MediaFile:
    data = b"\xff\xd8\xff" + bytes(100)
    return MediaFile(
        kind="photo",
        name=f"foto{i}.jpg",
        content_type="image/jpeg",
        size=len(data),
        open=lambda: io.BytesIO(data),
        public_url=f"{prefix}foto{i}.jpg",
    )


def post(caption: str = "Kuliah umum keimigrasian #poltekim", **kw) -> Post:
    return Post(key="warta-12-tt", title="Kuliah Umum Keimigrasian", caption=caption, **kw)


def test_registered_under_its_code():
    assert platform_class("tiktok") is TikTok


def test_caption_counts_utf16_units():
    assert utf16_length("Halo") == 4
    assert utf16_length("🎉") == 2  # outside the BMP: a surrogate pair
    assert TikTok(AccountConfig(code="t", name="t", platform="tiktok")).caption_length("é🎉") == 3


def test_chunk_plan_follows_the_transfer_guide():
    assert chunk_plan(3 * MB) == (3 * MB, 1)  # under 5 MB: whole
    assert chunk_plan(12 * MB, 5 * MB) == (5 * MB, 2)  # last chunk takes the 2 MB rest
    assert chunk_plan(12 * MB, 1 * MB) == (5 * MB, 2)  # never under 5 MB
    assert chunk_plan(200 * MB, 100 * MB) == (64 * MB, 3)  # never over 64 MB
    size = 4096 * MB  # the largest video TikTok takes
    chunk, count = chunk_plan(size, 1 * MB)
    assert chunk == 5 * MB and count == 819 and size - (count - 1) * chunk <= 128 * MB


def test_test_connection_reports_the_account_and_its_visibility(fake):
    info = connector(fake).test_connection()
    assert info.name == "Humas Poltekim"
    assert "@humaspoltekim" in info.detail and "SELF_ONLY" in info.detail


def test_publish_video_privately_by_default(fake):
    remote = connector(fake).publish(post(video=mp4()))
    (publish,) = fake.publishes.values()
    assert publish.status == "PUBLISH_COMPLETE" and publish.privacy == "SELF_ONLY"
    assert publish.title == "Kuliah umum keimigrasian #poltekim"
    assert publish.received == 200_000 and publish.body[4:8] == b"ftyp"
    assert remote.external_id == publish.id  # a private post gets no public id
    assert remote.extra["publish_id"] == publish.id
    info = publish.init["post_info"]
    assert info["disable_stitch"] is True  # the creator turned stitches off
    assert fake.server.requests("POST", r"/v2/post/publish/creator_info/query/")


def test_publish_video_in_chunks_publicly_once_audited(fake):
    fake.audited = True
    video = mp4(size=12 * MB)
    tiktok = connector(fake, privacy_level="PUBLIC_TO_EVERYONE", chunk_size=str(5 * MB))
    remote = tiktok.publish(post(video=video))
    puts = fake.server.requests("PUT", r"/upload/.+")
    assert [p.headers["content-range"] for p in puts] == [
        f"bytes 0-{5 * MB - 1}/{12 * MB}",
        f"bytes {5 * MB}-{12 * MB - 1}/{12 * MB}",
    ]
    (publish,) = fake.publishes.values()
    assert remote.external_id == publish.post_id
    assert remote.url == f"https://www.tiktok.com/@humaspoltekim/video/{publish.post_id}"


def test_publish_photos_by_url(fake):
    photos = tuple(photo(i) for i in range(3))
    remote = connector(fake).publish(post(photos=photos))
    (publish,) = fake.publishes.values()
    assert publish.kind == "photo" and publish.status == "PUBLISH_COMPLETE"
    assert publish.init["source_info"]["photo_images"] == [p.public_url for p in photos]
    assert publish.title == "Kuliah Umum Keimigrasian"
    assert publish.description == "Kuliah umum keimigrasian #poltekim"
    assert remote.extra["publish_id"] == publish.id


def test_photos_without_a_public_address_are_refused_before_sending(fake):
    bare = MediaFile("photo", "a.jpg", "image/jpeg", 3, open=lambda: io.BytesIO(b"abc"))
    with pytest.raises(Permanent):
        connector(fake).publish(post(photos=(bare,)))
    assert fake.publishes == {}


def test_unverified_photo_domain_is_permanent(fake):
    with pytest.raises(Permanent) as caught:
        connector(fake).publish(post(photos=(photo(1, prefix="https://elsewhere.example/"),)))
    assert "url_ownership_unverified" in caught.value.message


def test_visibility_not_offered_is_refused_before_posting(fake):
    fake.creator["privacy_level_options"] = ["SELF_ONLY"]
    with pytest.raises(Permanent):
        connector(fake, privacy_level="PUBLIC_TO_EVERYONE").publish(post(video=mp4()))
    assert fake.publishes == {}


def test_unaudited_client_posting_publicly_is_permanent(fake):
    with pytest.raises(Permanent) as caught:
        connector(fake, privacy_level="PUBLIC_TO_EVERYONE").publish(post(video=mp4()))
    assert "SELF_ONLY" in caught.value.advice
    assert fake.publishes == {}


def test_video_longer_than_the_account_may_post_is_rejected(fake):
    fake.creator["max_video_post_duration_sec"] = 60
    with pytest.raises(MediaRejected):
        connector(fake).publish(post(video=mp4(duration=90)))
    assert fake.publishes == {}


def test_rejected_media_is_media_rejected(fake):
    fake.fail_reason = "frame_rate_check_failed"
    with pytest.raises(MediaRejected) as caught:
        connector(fake).publish(post(video=mp4()))
    assert "frame_rate_check_failed" in caught.value.message


def test_still_processing_after_the_polls_comes_back_as_processing(fake):
    fake.processing_polls = 100
    tiktok = connector(fake, max_polls="3")
    remote = tiktok.publish(post(video=mp4()))
    assert remote.state == "processing"
    assert len(fake.server.requests("POST", r"/v2/post/publish/status/fetch/")) == 3
    fake.finish_all()
    done = tiktok.status(remote)
    assert done is not None and done.state == "published"


def test_update_and_withdraw_are_not_supported(fake):
    tiktok = connector(fake)
    with pytest.raises(NotSupported):
        tiktok.update(Remote(external_id="1"), post())
    with pytest.raises(NotSupported):
        tiktok.withdraw(Remote(external_id="1"))
    assert fake.server.log == []


def test_find_locates_a_video_after_an_ambiguous_upload(fake):
    fake.audited = True
    since = timezone.now() - dt.timedelta(seconds=5)
    tiktok = connector(fake, privacy_level="PUBLIC_TO_EVERYONE")
    handled, release = fake.server.hold_next("PUT", r"/upload/.+")
    try:
        with pytest.raises(Ambiguous):
            connector(fake, timeout=0.5, privacy_level="PUBLIC_TO_EVERYONE").publish(
                post(video=mp4())
            )
        assert handled.is_set()  # TikTok received the whole file
    finally:
        release.set()
    fake.finish_all()
    found = tiktok.find(post(), since)
    (publish,) = fake.publishes.values()
    assert found is not None and found.external_id == publish.post_id


def test_find_returns_none_when_there_is_no_such_video(fake):
    fake.audited = True
    tiktok = connector(fake, privacy_level="PUBLIC_TO_EVERYONE")
    since = timezone.now() - dt.timedelta(minutes=1)
    tiktok.publish(post(caption="Video lain", video=mp4()))
    assert tiktok.find(post(caption="Video yang tidak pernah dibuat"), since) is None


def test_find_cannot_check_private_or_photo_posts_or_without_the_scope(fake):
    with pytest.raises(CannotCheck):
        connector(fake).find(post(video=mp4()), timezone.now())
    public = connector(fake, privacy_level="PUBLIC_TO_EVERYONE")
    with pytest.raises(CannotCheck):
        public.find(post(photos=(photo(1),)), timezone.now())
    fake.scopes.discard("video.list")
    with pytest.raises(CannotCheck):
        connector(fake, privacy_level="PUBLIC_TO_EVERYONE").find(post(video=mp4()), timezone.now())


def test_lost_init_answer_for_a_file_upload_is_transient(fake):
    handled, release = fake.server.hold_next("POST", r"/v2/post/publish/video/init/")
    try:
        with pytest.raises(Transient):
            connector(fake, timeout=0.5).publish(post(video=mp4()))
        assert handled.is_set()
    finally:
        release.set()
    assert not fake.server.requests("PUT", r"/upload/.+")  # nothing can be posted


def test_lost_answer_to_a_photo_post_is_ambiguous(fake):
    handled, release = fake.server.hold_next("POST", r"/v2/post/publish/content/init/")
    try:
        with pytest.raises(Ambiguous):
            connector(fake, timeout=0.5).publish(post(photos=(photo(1),)))
        assert handled.is_set()  # TikTok took the post and will fetch the photos
    finally:
        release.set()


def test_expired_token_is_token_expired(fake):
    stale = connector(fake)
    fake.token = "act.newer"
    with pytest.raises(TokenExpired):
        stale.publish(post(video=mp4()))


def test_rate_limited_is_transient(fake):
    fake.server.fail_next("POST", r"/v2/post/publish/video/init/", answer("rate_limit_exceeded"))
    with pytest.raises(Transient) as caught:
        connector(fake).publish(post(video=mp4()))
    assert caught.value.retry_after == 60.0
    assert fake.publishes == {}


def test_daily_cap_is_transient_and_a_ban_permanent(fake):
    fake.server.fail_next(
        "POST", r"/v2/post/publish/creator_info/query/", answer("spam_risk_too_many_posts")
    )
    with pytest.raises(Transient) as caught:
        connector(fake).publish(post(video=mp4()))
    assert caught.value.retry_after and caught.value.retry_after >= 3600
    fake.server.fail_next(
        "POST",
        r"/v2/post/publish/creator_info/query/",
        answer("spam_risk_user_banned_from_posting"),
    )
    with pytest.raises(Permanent):
        connector(fake).publish(post(video=mp4()))


# --- token renewal ---------------------------------------------------------------------------
class Saved:
    """A ``save_credentials`` callable that records what it received, and whether TikTok had
    already seen the new access token when it was called (it must not have)."""

    def __init__(self, fake: TikTokFake) -> None:
        self.fake = fake
        self.calls: list[tuple[dict, dt.datetime | None]] = []
        self.used_before_saved = False

    def __call__(self, credentials: dict, expires_at: dt.datetime | None) -> None:
        token = credentials.get("access_token")
        self.used_before_saved |= any(r.bearer() == token for r in self.fake.server.log)
        self.calls.append((credentials, expires_at))


def renewing(fake: TikTokFake, saved: Saved, **extra: str) -> TikTok:
    credentials = {
        "access_token": fake.token,
        "refresh_token": fake.refresh_token,
        "client_key": fake.client_key,
        "client_secret": fake.client_secret,
        **extra,
    }
    return connector(fake, credentials=credentials, save_credentials=saved)


def test_expired_token_is_renewed_once_and_the_post_succeeds(fake):
    saved = Saved(fake)
    tiktok = renewing(fake, saved)
    fake.expire()
    before = timezone.now()
    remote = tiktok.publish(post(video=mp4()))
    (publish,) = fake.publishes.values()
    assert publish.status == "PUBLISH_COMPLETE" and remote.extra["publish_id"] == publish.id
    assert fake.renewals == 1
    ((credentials, expires_at),) = saved.calls
    assert credentials == {
        "access_token": fake.token,
        "refresh_token": fake.refresh_token,  # the new one: the old is spent
        "access_token_expires_at": expires_at.isoformat(),
    }
    assert fake.spent_refresh_tokens == ["rft.tiktok-0"] and fake.refresh_token != "rft.tiktok-0"
    assert before + dt.timedelta(hours=24) - dt.timedelta(seconds=10) <= expires_at
    assert expires_at <= timezone.now() + dt.timedelta(hours=24)
    assert not saved.used_before_saved
    form = fake.server.requests("POST", r"/v2/oauth/token/")[0]
    assert form.form() == {
        "client_key": "tt-client-key",
        "client_secret": "tt-client-secret",
        "grant_type": "refresh_token",
        "refresh_token": "rft.tiktok-0",
    }
    creator = fake.server.requests("POST", r"/v2/post/publish/creator_info/query/")
    assert [r.bearer() for r in creator] == ["act.tiktok-user", fake.token]  # refused, retried
    assert len(fake.server.requests("POST", r"/v2/post/publish/video/init/")) == 1


def test_stored_expiry_renews_before_the_first_request(fake):
    saved = Saved(fake)
    past = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    info = renewing(fake, saved, access_token_expires_at=past).test_connection()
    assert fake.server.log[0].path == "/v2/oauth/token/"
    assert all(r.bearer() == fake.token for r in fake.server.log[1:])
    assert info.expires_at == saved.calls[0][1]


def test_an_unexpired_stored_token_is_used_as_it_is(fake):
    saved = Saved(fake)
    later = (timezone.now() + dt.timedelta(hours=3)).isoformat()
    renewing(fake, saved, access_token_expires_at=later).test_connection()
    assert fake.renewals == 0 and saved.calls == []


@pytest.mark.parametrize("status", [400, 200])
def test_spent_refresh_token_is_token_expired(fake, status):
    fake.refusal_status = status  # whatever the HTTP status, the body says invalid_grant
    saved = Saved(fake)
    fake.expire()
    renewing(fake, saved).test_connection()  # renews: rft.tiktok-0 is now spent
    stale = renewing(fake, saved, access_token="act.tiktok-user", refresh_token="rft.tiktok-0")
    fake.expire()
    with pytest.raises(TokenExpired) as caught:
        stale.publish(post(video=mp4()))
    assert "invalid or expired" in caught.value.message
    assert "Reconnect" in caught.value.advice
    assert len(saved.calls) == 1 and fake.publishes == {}


def test_revoked_refresh_token_is_token_expired(fake):
    saved = Saved(fake)
    tiktok = renewing(fake, saved)
    fake.revoke()
    with pytest.raises(TokenExpired):
        tiktok.publish(post(video=mp4()))
    assert saved.calls == [] and fake.publishes == {}


def test_wrong_client_secret_is_token_expired_about_the_app(fake):
    tiktok = renewing(fake, Saved(fake), client_secret="wrong")
    fake.expire()
    with pytest.raises(TokenExpired) as caught:
        tiktok.publish(post(video=mp4()))
    assert "client secret" in caught.value.advice


def test_renewal_is_not_repeated_in_a_loop(fake):
    saved = Saved(fake)
    tiktok = renewing(fake, saved)
    for _ in range(3):  # TikTok keeps refusing even the renewed token
        fake.server.fail_next(
            "POST", r"/v2/post/publish/creator_info/query/", answer("access_token_invalid")
        )
    with pytest.raises(TokenExpired):
        tiktok.publish(post(video=mp4()))
    assert fake.renewals == 1 and len(saved.calls) == 1
    assert len(fake.server.requests("POST", r"/v2/post/publish/creator_info/query/")) == 2


def test_a_renewed_token_that_is_refused_is_not_renewed_again(fake):
    fake.token_lifetime = 0  # every renewed token is refused at once
    saved = Saved(fake)
    past = (timezone.now() - dt.timedelta(minutes=1)).isoformat()
    with pytest.raises(TokenExpired):
        renewing(fake, saved, access_token_expires_at=past).publish(post(video=mp4()))
    assert fake.renewals == 1 and len(saved.calls) == 1


def test_renewal_when_tiktok_is_busy_is_transient(fake):
    tiktok = renewing(fake, Saved(fake))
    fake.expire()
    fake.server.fail_next(
        "POST",
        r"/v2/oauth/token/",
        oauth_error("temporarily_unavailable", "Service is unavailable.", 503),
    )
    with pytest.raises(Transient):
        tiktok.publish(post(video=mp4()))
    assert fake.publishes == {}

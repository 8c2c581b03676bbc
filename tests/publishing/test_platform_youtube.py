"""Contract tests of the YouTube connector against the Google fake (no database needed)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import threading

import httpx
import pytest
from PIL import Image

from tests.publishing.fakekit import Reply
from tests.publishing.fakes.google import (
    CHUNK_UNIT,
    SCOPE_UPLOAD,
    GoogleFake,
    backend_error,
    quota_exceeded,
    rate_limited,
)
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
from warta.publishing.platforms.youtube import (
    YouTube,
    seconds_until_quota_reset,
    tags_length,
)

UPLOAD = r"/upload/youtube/v3/videos"


def mp4_bytes(size: int) -> bytes:
    """Bytes standing for an MP4: an ``ftyp`` box, then filler."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + bytes(i % 251 for i in range(size - len(head)))


def video_file(data: bytes, content_type: str = "video/mp4") -> MediaFile:
    return MediaFile(
        kind="video",
        name="warta-12.mp4",
        content_type=content_type,
        size=len(data),
        open=lambda: io.BytesIO(data),
        duration=12.0,
    )


def photo_file() -> MediaFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    data = buffer.getvalue()
    return MediaFile("photo", "warta-12-1.jpg", "image/jpeg", len(data), lambda: io.BytesIO(data))


def make_post(video: MediaFile | None = None, **changes) -> Post:
    values = {
        "key": "warta-12-3",
        "title": "Bupati Meresmikan Pasar Rakyat",
        "caption": "Bupati meresmikan Pasar Rakyat di Kecamatan Sukamaju, Senin (30/11).",
        "link": "https://humas.example.go.id/berita/pasar-rakyat",
        "video": video,
        "tags": ("pasar rakyat", "bupati", "Sukamaju"),
    }
    values.update(changes)
    return Post(**values)


@pytest.fixture
def fake():
    server = GoogleFake().start()
    yield server
    server.stop()


def account_for(fake: GoogleFake, **options) -> AccountConfig:
    return AccountConfig(
        code="youtube-humas",
        name="YouTube Humas",
        platform="youtube",
        external_id=fake.channel["id"],
        base_url=fake.url,
        credentials={
            "client_id": fake.client_id,
            "client_secret": fake.client_secret,
            "refresh_token": next(iter(fake.refresh_tokens)),
        },
        options={
            "token_url": fake.token_url,
            "chunk_size": str(CHUNK_UNIT),
            "resume_wait": "0",
            "category_id": "25",
            **options,
        },
    )


@pytest.fixture
def youtube(fake):
    return YouTube(account_for(fake), timeout=5)


def content_ranges(fake: GoogleFake) -> list[str]:
    return [r.headers.get("content-range", "") for r in fake.requests("PUT", UPLOAD)]


# --- connection and tokens -------------------------------------------------------------------
def test_connection_names_the_channel_after_exchanging_the_refresh_token(fake, youtube):
    info = youtube.test_connection()

    assert info.name == "Humas Kabupaten Contoh"
    assert fake.channel["id"] in info.detail
    token_calls = fake.requests("POST", r"/token")
    assert len(token_calls) == 1
    form = token_calls[0].form()
    assert form["grant_type"] == "refresh_token"
    assert form["refresh_token"] == "1//0g-refresh"
    channels = fake.requests("GET", r"/youtube/v3/channels")[0]
    assert channels.query["mine"] == "true"
    assert channels.bearer() in fake.access_tokens
    assert fake.violations == []


def test_connection_refuses_a_token_of_another_channel(fake):
    other = dataclasses.replace(account_for(fake), external_id="UCsomeoneelse")
    with pytest.raises(Permanent) as caught:
        YouTube(other, timeout=5).test_connection()
    assert "UCsomeoneelse" in caught.value.message


def test_revoked_refresh_token_raises_token_expired(fake, youtube):
    fake.revoke("1//0g-refresh")
    with pytest.raises(TokenExpired) as caught:
        youtube.test_connection()
    assert "Testing" in caught.value.advice  # the 7-day expiry of apps in Testing status


def test_wrong_client_secret_raises_token_expired(fake):
    account = account_for(fake)
    account.credentials["client_secret"] = "wrong"
    with pytest.raises(TokenExpired):
        YouTube(account, timeout=5).test_connection()


def test_expired_access_token_is_renewed_once(fake, youtube):
    youtube.test_connection()
    fake.expire_access_tokens()

    youtube.test_connection()

    assert len(fake.requests("POST", r"/token")) == 2
    bearers = [r.bearer() for r in fake.requests("GET", r"/youtube/v3/channels")]
    assert len(bearers) == 3  # ok, 401 with the old token, ok with the new one
    assert bearers[0] == bearers[1] != bearers[2]
    assert bearers[2] in fake.access_tokens


def test_401_after_renewal_raises_token_expired(fake, youtube):
    unauthenticated = Reply(401, {"error": {"code": 401, "errors": [{"reason": "authError"}]}})
    fake.fail_next("GET", r"/youtube/v3/channels", unauthenticated)
    fake.fail_next("GET", r"/youtube/v3/channels", unauthenticated)
    with pytest.raises(TokenExpired):
        youtube.test_connection()
    assert len(fake.requests("POST", r"/token")) == 2  # renewed once, then gave up


def test_missing_scope_is_permanent_not_expired():
    fake = GoogleFake(scopes=(SCOPE_UPLOAD,)).start()
    try:
        with pytest.raises(Permanent) as caught:
            YouTube(account_for(fake), timeout=5).test_connection()
        assert not isinstance(caught.value, TokenExpired)
        assert "insufficientPermissions" in caught.value.message
        assert "auth/youtube" in caught.value.advice
    finally:
        fake.stop()


# --- publishing ------------------------------------------------------------------------------
def test_photos_alone_are_not_supported(fake, youtube):
    with pytest.raises(NotSupported):
        youtube.publish(make_post(photos=(photo_file(),)))
    assert fake.log == []


def test_publish_video_in_chunks(fake, youtube):
    data = mp4_bytes(2 * CHUNK_UNIT + 1000)

    remote = youtube.publish(make_post(video_file(data)))

    assert fake.uploaded(remote.external_id) == data
    assert remote.url == f"https://www.youtube.com/watch?v={remote.external_id}"
    assert remote.state == "processing"
    assert remote.extra["privacy_status"] == "public"
    assert remote.extra["privacy_locked"] is False
    start = fake.requests("POST", UPLOAD)[0]
    assert start.query == {"uploadType": "resumable", "part": "snippet,status"}
    assert start.headers["x-upload-content-length"] == str(len(data))
    assert start.headers["x-upload-content-type"] == "video/mp4"
    total = len(data)
    assert content_ranges(fake) == [
        f"bytes 0-{CHUNK_UNIT - 1}/{total}",
        f"bytes {CHUNK_UNIT}-{2 * CHUNK_UNIT - 1}/{total}",
        f"bytes {2 * CHUNK_UNIT}-{total - 1}/{total}",
    ]
    video = fake.videos[remote.external_id]
    assert video["snippet"]["title"] == "Bupati Meresmikan Pasar Rakyat"
    assert video["snippet"]["description"].endswith(
        "https://humas.example.go.id/berita/pasar-rakyat"
    )
    assert video["snippet"]["tags"] == ["warta-12-3", "pasar rakyat", "bupati", "Sukamaju"]
    assert video["snippet"]["categoryId"] == "25"
    assert video["status"]["selfDeclaredMadeForKids"] is False
    assert fake.violations == []

    fake.finish_processing(remote.external_id)
    assert youtube.status(remote).state == "published"


def test_upload_resumes_after_a_503_with_part_of_the_chunk_stored(fake, youtube):
    data = mp4_bytes(3 * CHUNK_UNIT + 77)
    fake.interrupt_next_chunk(100_000, mode="503")  # the first chunk: 100,000 bytes arrive

    remote = youtube.publish(make_post(video_file(data)))

    assert fake.uploaded(remote.external_id) == data
    total = len(data)
    ranges = content_ranges(fake)
    assert ranges[:3] == [
        f"bytes 0-{CHUNK_UNIT - 1}/{total}",
        f"bytes */{total}",  # what arrived? → 308 Range: bytes=0-99999
        f"bytes 100000-{100_000 + CHUNK_UNIT - 1}/{total}",
    ]
    assert fake.violations == []


def test_upload_resumes_after_a_dropped_connection(fake, youtube):
    data = mp4_bytes(2 * CHUNK_UNIT + 5)
    youtube.publish(make_post(video_file(mp4_bytes(1000))))  # a first upload, undisturbed
    fake.interrupt_next_chunk(0, mode="drop")

    remote = youtube.publish(make_post(video_file(data), key="warta-12-4"))

    assert fake.uploaded(remote.external_id) == data
    assert f"bytes */{len(data)}" in content_ranges(fake)
    assert fake.violations == []


def test_lost_answer_to_the_last_chunk_is_recovered_by_asking_the_session(fake):
    youtube = YouTube(account_for(fake), timeout=1)
    handled, release = fake.hold_next("PUT", UPLOAD)
    try:
        remote = youtube.publish(make_post(video_file(mp4_bytes(5000))))
    finally:
        release.set()
    assert handled.is_set()
    assert remote.external_id in fake.videos
    assert len(fake.videos) == 1  # one video, not two


def test_ambiguous_when_the_last_chunk_and_the_status_query_fail_then_find_locates_it(fake):
    youtube = YouTube(account_for(fake, max_resumes="1"), timeout=1)
    since = dt.datetime.now(dt.UTC)
    assert youtube.find(make_post(), since) is None

    handled, release = fake.hold_next("PUT", UPLOAD)

    def then_fail_the_status_query():
        handled.wait(10)  # the chunk is stored, its answer held
        fake.fail_next("PUT", UPLOAD, backend_error())

    threading.Thread(target=then_fail_the_status_query, daemon=True).start()
    try:
        with pytest.raises(Ambiguous):
            youtube.publish(make_post(video_file(mp4_bytes(5000))))
    finally:
        release.set()
    assert handled.is_set()

    fake.add_video("Another video", age_minutes=0)
    found = YouTube(account_for(fake), timeout=5).find(make_post(), since)
    assert found is not None
    assert fake.videos[found.external_id]["snippet"]["tags"][0] == "warta-12-3"


def test_find_falls_back_to_the_exact_title_within_the_window(fake, youtube):
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    fake.add_video("Bupati Meresmikan Pasar Rakyat", age_minutes=60)  # before the window
    assert youtube.find(make_post(), since) is None
    recent = fake.add_video("Bupati Meresmikan Pasar Rakyat", age_minutes=1)
    fake.add_video("Something else", age_minutes=0)

    found = youtube.find(make_post(), since)

    assert found is not None and found.external_id == recent


def test_rate_limited_is_transient_with_the_retry_after_header(fake, youtube):
    fake.fail_next("POST", UPLOAD, rate_limited(retry_after=120))
    with pytest.raises(Transient) as caught:
        youtube.publish(make_post(video_file(mp4_bytes(1000))))
    assert caught.value.retry_after == 120

    fake.fail_next("POST", UPLOAD, rate_limited())
    with pytest.raises(Transient) as caught:
        youtube.publish(make_post(video_file(mp4_bytes(1000))))
    assert caught.value.retry_after == 60


def test_quota_exceeded_waits_for_midnight_pacific_time(fake, youtube):
    fake.quota["uploads"] = 0
    with pytest.raises(Transient) as caught:
        youtube.publish(make_post(video_file(mp4_bytes(1000))))
    expected = seconds_until_quota_reset()
    assert abs(caught.value.retry_after - expected) < 5
    assert fake.videos == {}

    fake.fail_next("GET", r"/youtube/v3/channels", quota_exceeded())
    with pytest.raises(Transient):
        youtube.test_connection()


def test_quota_reset_is_midnight_pacific_across_daylight_saving():
    # 23:00 PST on Sat 7 Mar 2026 → midnight PST is an hour away.
    assert seconds_until_quota_reset(dt.datetime(2026, 3, 8, 7, 0, tzinfo=dt.UTC)) == 3600 + 60
    # 01:00 PST on Sun 8 Mar 2026 (clocks go forward at 02:00) → 22 real hours to midnight PDT.
    assert seconds_until_quota_reset(dt.datetime(2026, 3, 8, 9, 0, tzinfo=dt.UTC)) == 22 * 3600 + 60


def test_video_type_refused_is_media_rejected(fake, youtube):
    with pytest.raises(MediaRejected) as caught:
        youtube.publish(make_post(video_file(mp4_bytes(1000), content_type="image/jpeg")))
    assert "badContent" in caught.value.message


def test_processing_failure_is_media_rejected(fake, youtube):
    remote = youtube.publish(make_post(video_file(b"not a video at all" * 10)))
    assert youtube.status(remote).state == "processing"

    fake.finish_processing(remote.external_id)

    with pytest.raises(MediaRejected) as caught:
        youtube.status(remote)
    assert "invalidFile" in caught.value.message


def test_unverified_project_uploads_are_locked_private(fake, youtube):
    fake.verified_project = False
    remote = youtube.publish(make_post(video_file(mp4_bytes(1000))))
    assert remote.extra["privacy_status"] == "private"
    assert remote.extra["privacy_locked"] is True


# --- limits ----------------------------------------------------------------------------------
def test_title_and_description_limits_are_checked_before_uploading(fake, youtube):
    with pytest.raises(Permanent) as caught:
        youtube.publish(make_post(video_file(mp4_bytes(1000)), title="J" * 101))
    assert "101" in caught.value.message
    with pytest.raises(Permanent):
        youtube.publish(make_post(video_file(mp4_bytes(1000)), caption="é" * 2501, link=""))
    assert fake.log == []


def test_angle_brackets_are_replaced_and_tags_fit_the_limit(fake, youtube):
    tags = tuple(f"tag nomor {n}" for n in range(60))
    remote = youtube.publish(
        make_post(video_file(mp4_bytes(1000)), title="Rapat <Pleno> Hari Ini", tags=tags)
    )
    snippet = fake.videos[remote.external_id]["snippet"]
    assert snippet["title"] == "Rapat ‹Pleno› Hari Ini"
    assert snippet["tags"][0] == "warta-12-3"
    assert 400 < tags_length(snippet["tags"]) <= 500
    assert tags_length(["Foo-Baz"]) == 7 and tags_length(["Foo Baz"]) == 9


def test_the_fake_enforces_the_documented_limits(fake, youtube):
    youtube.test_connection()
    token = youtube._access_token
    response = httpx.post(
        fake.url + UPLOAD,
        params={"uploadType": "resumable", "part": "snippet"},
        headers={
            "Authorization": f"Bearer {token}",
            "X-Upload-Content-Length": "10",
            "X-Upload-Content-Type": "video/mp4",
        },
        json={"snippet": {"title": "x" * 101}},
    )
    assert response.status_code == 400
    assert response.json()["error"]["errors"][0]["reason"] == "invalidTitle"


# --- update, withdraw, status -----------------------------------------------------------------
def test_update_sends_the_whole_snippet(fake):
    youtube = YouTube(account_for(fake, category_id=""), timeout=5)
    remote = youtube.publish(make_post(video_file(mp4_bytes(1000))))
    fake.videos[remote.external_id]["snippet"]["defaultLanguage"] = "id"

    updated = youtube.update(remote, make_post(title="Judul Baru", caption="Teks baru.", link=""))

    snippet = fake.videos[remote.external_id]["snippet"]
    assert snippet["title"] == "Judul Baru"
    assert snippet["description"] == "Teks baru."
    assert snippet["categoryId"] == "22"  # kept from the current snippet
    assert snippet["defaultLanguage"] == "id"
    assert snippet["tags"][0] == "warta-12-3"
    assert updated.external_id == remote.external_id
    assert fake.requests("PUT", r"/youtube/v3/videos")[0].query["part"] == "snippet"


def test_withdraw_deletes_and_status_then_says_gone(fake, youtube):
    remote = youtube.publish(make_post(video_file(mp4_bytes(1000))))

    youtube.withdraw(remote)

    assert remote.external_id not in fake.videos
    assert youtube.status(remote) is None
    youtube.withdraw(remote)  # already gone: no error


def test_update_of_a_deleted_video_is_permanent(fake, youtube):
    with pytest.raises(Permanent):
        youtube.update(Remote(external_id="gone1234567"), make_post())


def test_server_error_on_a_read_is_transient(fake, youtube):
    fake.fail_next("GET", r"/youtube/v3/videos", backend_error())
    with pytest.raises(Transient):
        youtube.status(Remote(external_id="abc"))

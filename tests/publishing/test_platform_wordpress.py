"""The WordPress connector against a real WordPress (Debian's package, served by ``php -S``):
everything it does is read back through WordPress's own REST API."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import httpx
import pytest
from PIL import Image

from tests.publishing.wordpress import WordPressSite, wordpress_site  # noqa: F401
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
from warta.publishing.platforms.wordpress import ApiRoot, WordPress, parse_authors, post_slug

SINCE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def mp4() -> bytes:
    """A real one-second MP4 (WordPress checks a video's content, not only its name)."""
    import av

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_image(Image.new("RGB", (32, 32), (i * 20, 0, 0)))
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return buffer.getvalue()


def media(kind: str, name: str, data: bytes, content_type: str, **more) -> MediaFile:
    return MediaFile(
        kind=kind,
        name=name,
        content_type=content_type,
        size=len(data),
        open=lambda: io.BytesIO(data),
        **more,
    )


def photo(name: str, color: tuple[int, int, int], alt: str = "", caption: str = "") -> MediaFile:
    return media("photo", name, jpeg(color), "image/jpeg", alt_text=alt, caption=caption)


def new_key() -> str:
    return f"warta-{uuid.uuid4().int % 10**6}-1"


def simple_post(key: str, **more) -> Post:
    fields = {
        "key": key,
        "title": "Rapat koordinasi humas",
        "caption": "Ringkasan rapat",
        "body_html": "<p>Rapat koordinasi berlangsung di aula.</p>",
    }
    return Post(**{**fields, **more})


def connector(site: WordPressSite, **options: str) -> WordPress:
    return WordPress(site.account(**options), timeout=30)


def test_the_registry_names_this_connector():
    assert platform_class("wordpress") is WordPress
    assert WordPress.can_update and WordPress.can_withdraw and WordPress.can_find


def test_connection_names_the_user(wordpress: WordPressSite):
    info = connector(wordpress).test_connection()
    assert info.name == "Warta"
    assert "editor" in info.detail


def test_publish_two_photos_new_terms_and_author(wordpress: WordPressSite):
    suffix = uuid.uuid4().hex[:6]
    first = photo("foto-1.jpg", (200, 30, 30), alt="Peserta rapat di aula", caption="Suasana rapat")
    second = photo("foto-2.jpg", (30, 30, 200), alt="Kepala bagian memberi arahan")
    post = simple_post(
        new_key(),
        title="Rapat Koordinasi Humas 2026",
        excerpt="Rapat membahas agenda publikasi.",
        photos=(first, second),
        categories=(f"Kegiatan {suffix}",),
        tags=(f"humas-{suffix}",),
        author="budi",
    )
    wp = connector(wordpress, authors=f"ani=999, budi={wordpress.author_id}")

    remote = wp.publish(post)

    data = wordpress.read_post(remote.external_id)
    assert data["status"] == "publish"
    assert data["title"]["raw"] == "Rapat Koordinasi Humas 2026"
    assert data["excerpt"]["raw"] == "Rapat membahas agenda publikasi."
    assert data["content"]["raw"].startswith("<p>Rapat koordinasi berlangsung di aula.</p>")
    assert data["slug"] == post_slug(post) and data["slug"].endswith(post.key)
    assert data["author"] == wordpress.author_id
    assert remote.url == data["link"] and remote.state == "published"

    featured = wordpress.read_media(data["featured_media"])
    assert featured["alt_text"] == "Peserta rapat di aula"
    assert featured["caption"]["raw"] == "Suasana rapat"
    assert featured["post"] == data["id"]
    assert httpx.get(featured["source_url"]).content == jpeg((200, 30, 30))
    other = wordpress.read_media(remote.extra["media"]["foto-2.jpg"]["id"])
    assert other["alt_text"] == "Kepala bagian memberi arahan"
    assert f'src="{other["source_url"]}"' in data["content"]["raw"]
    assert 'alt="Kepala bagian memberi arahan"' in data["content"]["rendered"]

    [category] = [wordpress.read(f"/wp/v2/categories/{i}") for i in data["categories"]]
    assert category["name"] == f"Kegiatan {suffix}"
    [tag] = [wordpress.read(f"/wp/v2/tags/{i}") for i in data["tags"]]
    assert tag["name"] == f"humas-{suffix}"

    # The same names again reuse the terms WordPress now has.
    again = wp.publish(simple_post(new_key(), categories=(f"kegiatan {suffix}",)))
    assert wordpress.read_post(again.external_id)["categories"] == data["categories"]


def test_publish_embeds_the_video(wordpress: WordPressSite):
    clip = media("video", "liputan.mp4", mp4(), "video/mp4")
    remote = connector(wordpress).publish(simple_post(new_key(), video=clip))

    data = wordpress.read_post(remote.external_id)
    video = wordpress.read_media(remote.extra["video"]["id"])
    assert video["mime_type"] == "video/mp4"
    assert f'<video controls src="{video["source_url"]}">' in data["content"]["raw"]
    assert "<video" in data["content"]["rendered"]
    assert data["featured_media"] == 0


def test_update_after_a_correction(wordpress: WordPressSite):
    key = new_key()
    first = photo("foto-a.jpg", (10, 200, 10), alt="Foto lama")
    wp = connector(wordpress)
    remote = wp.publish(simple_post(key, photos=(first,)))

    corrected = simple_post(
        key,
        title="Rapat koordinasi humas (ralat)",
        body_html="<p>Rapat berlangsung di ruang rapat utama.</p>",
        photos=(
            photo("foto-a.jpg", (10, 200, 10), alt="Foto diperbaiki"),
            photo("foto-b.jpg", (1, 2, 3)),
        ),
        revision=2,
    )
    updated = wp.update(remote, corrected)

    data = wordpress.read_post(remote.external_id)
    assert updated.external_id == remote.external_id
    assert data["title"]["raw"] == "Rapat koordinasi humas (ralat)"
    assert "ruang rapat utama" in data["content"]["raw"]
    assert "di aula" not in data["content"]["raw"]
    assert data["slug"] == remote.extra["slug"]  # links already shared keep working
    # The photo uploaded before is reused (alt text brought up to date), only the new one uploaded.
    old_id = remote.extra["media"]["foto-a.jpg"]["id"]
    assert data["featured_media"] == old_id
    assert wordpress.read_media(old_id)["alt_text"] == "Foto diperbaiki"
    attached = wordpress.read("/wp/v2/media", parent=remote.external_id)
    assert sorted(item["id"] for item in attached) == sorted(
        item["id"] for item in updated.extra["media"].values()
    )
    assert len(attached) == 2


def test_withdraw_moves_the_post_to_the_trash(wordpress: WordPressSite):
    key = new_key()
    wp = connector(wordpress)
    post = simple_post(key)
    remote = wp.publish(post)
    assert wp.status(remote).state == "published"

    wp.withdraw(remote)

    assert wordpress.read_post(remote.external_id)["status"] == "trash"
    assert wp.status(remote) is None
    wp.withdraw(remote)  # already in the trash: nothing to do
    found = wp.find(post, SINCE)
    assert found.external_id == remote.external_id and found.state == "withdrawn"


def test_find_after_an_ambiguous_publish(wordpress: WordPressSite):
    post = simple_post(new_key())
    wp = connector(wordpress)
    remote = wp.publish(post)  # the answer "was lost": only WordPress knows the post

    found = WordPress(wordpress.account(), timeout=30).find(post, SINCE)
    assert found is not None and found.external_id == remote.external_id
    assert found.url == remote.url and found.state == "published"
    assert wp.find(simple_post(new_key()), SINCE) is None


def test_find_a_post_whose_slug_a_person_changed(wordpress: WordPressSite):
    key = new_key()
    post = simple_post(key + "0")  # "warta-N-10"; "warta-N-1" is another item's key
    wp = connector(wordpress)
    remote = wp.publish(post)
    wordpress.rest(
        "POST", f"/wp/v2/posts/{remote.external_id}", json={"slug": "judul-diganti-editor"}
    ).raise_for_status()

    found = wp.find(post, SINCE)
    assert found is not None and found.external_id == remote.external_id
    # A key that is only the beginning of this post's key is not this post.
    assert wp.find(simple_post(key), SINCE) is None


def test_revoked_application_password(wordpress: WordPressSite):
    password, uuid_ = wordpress.new_application_password("revoke me")
    wp = connector(wordpress, application_password=password)
    assert wp.test_connection().name == "Warta"

    wordpress.rest("DELETE", f"/wp/v2/users/me/application-passwords/{uuid_}").raise_for_status()

    with pytest.raises(TokenExpired) as caught:
        wp.test_connection()
    assert "revoked" in caught.value.message
    # Reading categories needs no password; creating one does: still "password revoked".
    post = simple_post(new_key(), categories=(f"Baru {uuid.uuid4().hex[:6]}",))
    with pytest.raises(TokenExpired):
        connector(wordpress, application_password=password).publish(post)


def test_refused_media_file(wordpress: WordPressSite):
    program = media("photo", "setup.exe", b"MZ\x90\x00" + bytes(200), "application/x-msdownload")
    post = simple_post(new_key(), photos=(program,))
    wp = connector(wordpress)

    with pytest.raises(MediaRejected) as caught:
        wp.publish(post)
    assert "setup.exe" in caught.value.message
    assert wp.find(post, SINCE) is None  # nothing was created


def test_a_photo_that_is_not_an_image_is_refused(wordpress: WordPressSite):
    fake = media("photo", "foto.jpg", b"<?php echo 'hello'; ?>", "image/jpeg")
    with pytest.raises(MediaRejected):
        connector(wordpress).publish(simple_post(new_key(), photos=(fake,)))


def test_an_author_may_not_create_a_category(wordpress: WordPressSite):
    password, _ = wordpress.new_application_password("author", login=wordpress.author_login)
    wp = connector(wordpress, username=wordpress.author_login, application_password=password)
    assert wp.test_connection().name == "Penulis"  # an Author may publish …

    name = f"Baru {uuid.uuid4().hex[:6]}"
    with pytest.raises(Permanent) as caught:  # … but not create categories
        wp.publish(simple_post(new_key(), categories=(name,)))
    assert name in caught.value.message
    assert "Editor" in caught.value.advice


def test_pretty_permalinks_use_wp_json(wordpress: WordPressSite):
    wordpress.php(
        "update_option('permalink_structure', '/%postname%/'); flush_rewrite_rules(false);"
    )
    try:
        wp = connector(wordpress)
        remote = wp.publish(simple_post(new_key()))
        assert wp._root == ApiRoot(url=wordpress.url + "/wp-json/", query_form=False)
        assert wordpress.read_post(remote.external_id)["status"] == "publish"
    finally:
        wordpress.php("update_option('permalink_structure', ''); flush_rewrite_rules(false);")
    wp = connector(wordpress)
    wp.test_connection()
    assert wp._root.query_form is True


# --- without a server: addresses, options and the error mapping ---------------------------------
def test_plain_http_is_refused_outside_the_machine():
    account = AccountConfig(
        code="wp",
        name="wp",
        platform="wordpress",
        base_url="http://humas.example.go.id",
        credentials={"username": "u", "application_password": "p"},
    )
    with pytest.raises(Permanent) as caught:
        WordPress(account).test_connection()
    assert "http://" in caught.value.message


def test_api_root_forms():
    pretty = ApiRoot.from_link("https://humas.example.go.id/wp-json/")
    assert pretty.target("/wp/v2/posts", {"a": 1}) == (
        "https://humas.example.go.id/wp-json/wp/v2/posts",
        {"a": 1},
    )
    plain = ApiRoot.from_link("https://humas.example.go.id/index.php?rest_route=/")
    assert plain.target("/wp/v2/posts", {}) == (
        "https://humas.example.go.id/index.php",
        {"rest_route": "/wp/v2/posts"},
    )


def test_author_mapping_option():
    assert parse_authors(" ani=3, budi = 7 ,") == {"ani": 3, "budi": 7}
    with pytest.raises(Permanent):
        parse_authors("ani")


def test_slug_ends_with_the_key():
    post = Post(key="warta-12-3", title="Judul Berita: Rapat & Koordinasi!", caption="")
    assert post_slug(post) == "judul-berita-rapat-koordinasi-warta-12-3"
    assert post_slug(Post(key="warta-1-1", title="x" * 400, caption="")).endswith("-warta-1-1")
    assert len(post_slug(Post(key="warta-1-1", title="x" * 400, caption=""))) <= 180


def _answer(status: int, body: dict | None = None, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json=body or {}, headers=headers or {})


@pytest.mark.parametrize(
    ("status", "body", "creates", "error"),
    [
        (401, {"code": "incorrect_password", "message": "x"}, False, TokenExpired),
        (401, {"code": "rest_not_logged_in", "message": "x"}, True, TokenExpired),
        (403, {"code": "rest_cannot_create", "message": "x"}, True, Permanent),
        (413, {}, False, MediaRejected),
        (500, {"code": "rest_upload_unknown_error", "message": "x"}, False, MediaRejected),
        (500, {"code": "internal_server_error"}, True, Ambiguous),
        (502, {}, False, Transient),
        (400, {"code": "rest_invalid_param", "message": "x"}, True, Permanent),
    ],
)
def test_error_mapping(status, body, creates, error):
    wp = WordPress(AccountConfig(code="wp", name="wp", platform="wordpress"))
    with pytest.raises(error) as caught:
        wp._raise_for(_answer(status, body), creates=creates)
    assert type(caught.value) is error
    if status == 403:
        assert "Editor" in caught.value.advice


@pytest.mark.parametrize("status", [429, 503])
def test_busy_is_transient_with_retry_after(status):
    wp = WordPress(AccountConfig(code="wp", name="wp", platform="wordpress"))
    with pytest.raises(Transient) as caught:
        wp._raise_for(_answer(status, headers={"Retry-After": "120"}), creates=True)
    assert caught.value.retry_after == 120


def test_a_lost_answer_to_the_create_is_ambiguous(wordpress: WordPressSite):
    """The post request reaches WordPress; the connection breaks before the answer arrives."""

    class LoseAnswerToPostCreate(httpx.HTTPTransport):
        def handle_request(self, request):
            response = super().handle_request(request)
            if request.method == "POST" and "wp%2Fv2%2Fposts" in str(request.url):
                response.read()
                raise httpx.ReadTimeout("lost", request=request)
            return response

    post = simple_post(new_key())
    wp = connector(wordpress)
    real_client = wp._client

    def client():
        api = real_client()
        api._transport = LoseAnswerToPostCreate()
        return api

    wp._client = client
    with pytest.raises(Ambiguous):
        wp.publish(post)
    found = connector(wordpress).find(post, SINCE)
    assert found is not None and found.state == "published"


def test_remote_extra_survives_a_status_check(wordpress: WordPressSite):
    wp = connector(wordpress)
    remote = wp.publish(simple_post(new_key(), photos=(photo("f.jpg", (5, 5, 5)),)))
    assert wp.status(Remote(external_id=remote.external_id, extra=remote.extra)).extra == (
        remote.extra
    )

"""Who may fetch which media file, by every URL that serves one.

A draft's files (original and every rendition) reach only the people who may see the item
(members of the newsroom's SOP roles, as on the item page); the public site serves nothing of a
draft. After publication the renditions are public and cached for a year; the original never is.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.media.servingkit import basename, body_of, make_media
from warta.media.serving import MEDIA_CSP, PRIVATE_CACHE, PUBLIC_CACHE


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WARTA_MEDIA_ACCEL = ""


@pytest.fixture
def people(humas_sop, make_user):
    return {
        "humas": make_user("humas", "staf_humas", full_name="Sari Wulandari"),
        "kabag": make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo"),
        # Signed in, but holds no role of any SOP: may not see the newsroom's items.
        "outsider": make_user("tamu", full_name="Tamu"),
    }


@pytest.fixture
def media(people):
    return make_media(people["humas"])


def staff_urls(media) -> list[tuple[str, bytes]]:
    """Every newsroom URL of the item's files, with the bytes it serves."""
    urls = []
    for asset in (media.photo, media.video):
        urls.append(
            (reverse("newsroom:media_file", args=[asset.pk, "original"]), media.originals[asset.pk])
        )
        for spec, (_rendition, content) in media.renditions[asset.pk].items():
            urls.append((reverse("newsroom:media_file", args=[asset.pk, spec]), content))
    return urls


def public_urls(media) -> list[tuple[str, bytes]]:
    return [
        (reverse("site:rendition", args=[basename(rendition)]), content)
        for _asset, rendition, content in media.all_renditions()
    ]


def original_public_urls(media) -> list[str]:
    """Where an original could be guessed on the public side: its stored name as a rendition
    name, and the media URL under which a file server would put it."""
    return [
        url
        for asset in (media.photo, media.video)
        for url in (
            reverse("site:rendition", args=[asset.original.name.rsplit("/", 1)[-1]]),
            f"/media/{asset.original.name}",
            f"/{asset.original.name}",
        )
    ]


def assert_refused(response, content: bytes) -> None:
    assert response.status_code in (302, 403, 404), response.status_code
    if response.status_code == 302:
        assert "/masuk/" in response["Location"] or "login" in response["Location"].lower()
    assert content not in body_of(response)


def assert_protected(response, content_type: str) -> None:
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == MEDIA_CSP


@pytest.mark.django_db
def test_a_drafts_files_reach_only_those_who_may_see_the_item(client, people, media):
    urls = staff_urls(media)
    assert len(urls) == 8
    for url, content in urls + public_urls(media):
        assert_refused(client.get(url), content)  # anonymous

    client.force_login(people["outsider"])
    for url, content in urls + public_urls(media):
        assert_refused(client.get(url), content)

    for who in ("humas", "kabag"):
        client.force_login(people[who])
        for url, content in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert body_of(response) == content
            assert response["Cache-Control"] == PRIVATE_CACHE
        # Staff see drafts in the newsroom only: the public site serves nothing of a draft.
        for url, content in public_urls(media):
            assert_refused(client.get(url), content)


@pytest.mark.django_db
def test_the_newsroom_serves_each_file_with_its_own_type_and_safe_name(client, people, media):
    client.force_login(people["humas"])
    original = client.get(reverse("newsroom:media_file", args=[media.photo.pk, "original"]))
    assert_protected(original, "image/jpeg")
    assert original["Content-Disposition"].startswith(
        'inline; filename="Rapat-Nusantara-script.jpg"'
    )
    video = client.get(reverse("newsroom:media_file", args=[media.video.pk, "original"]))
    assert_protected(video, "video/quicktime")
    assert video["Content-Disposition"].startswith('inline; filename="rekaman.mov"')
    for asset, rendition, _content in media.all_renditions():
        response = client.get(reverse("newsroom:media_file", args=[asset.pk, rendition.spec]))
        assert_protected(response, rendition.content_type)
        assert f"-{rendition.spec}." in response["Content-Disposition"]
        assert response["ETag"] == f'"{basename(rendition).split(".")[0]}"'


@pytest.mark.django_db
def test_unknown_specs_assets_and_missing_files_are_404(client, people, media):
    from django.core.files.storage import default_storage

    from tests.media.servingkit import add_asset

    client.force_login(people["humas"])
    for asset_id, spec in ((media.photo.pk, "ig-square"), (media.photo.pk, "mp4"), (999999, "og")):
        assert client.get(reverse("newsroom:media_file", args=[asset_id, spec])).status_code == 404
    # An asset that belongs to no news item is nobody's to see here.
    loose = add_asset(
        people["humas"],
        kind="photo",
        content=b"\xff\xd8\xff" + bytes(64),
        content_type="image/jpeg",
        extension="jpg",
        name="lepas.jpg",
    )
    assert (
        client.get(reverse("newsroom:media_file", args=[loose.pk, "original"])).status_code == 404
    )
    rendition = media.renditions[media.photo.pk]["thumb"][0]
    default_storage.delete(rendition.file.name)
    default_storage.delete(media.video.original.name)
    assert (
        client.get(reverse("newsroom:media_file", args=[media.photo.pk, "thumb"])).status_code
        == 404
    )
    original = reverse("newsroom:media_file", args=[media.video.pk, "original"])
    assert client.get(original).status_code == 404
    assert client.get(original, HTTP_RANGE="bytes=0-3").status_code == 404
    media.publish()
    assert client.get(reverse("site:rendition", args=[basename(rendition)])).status_code == 404


@pytest.mark.django_db
def test_after_publication_renditions_are_public_and_the_original_never(client, people, media):
    media.publish()
    for url, content in public_urls(media):
        response = client.get(url)
        assert response.status_code == 200, url
        assert body_of(response) == content
        assert response["Cache-Control"] == PUBLIC_CACHE
        name = url.rsplit("/", 1)[-1]
        assert response["ETag"] == f'"{name.split(".")[0]}"'
        # The browser's copy is still good: 304, no body.
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 304 and not again.content
    for _asset, rendition, _content in media.all_renditions():
        response = client.get(reverse("site:rendition", args=[basename(rendition)]))
        assert_protected(response, rendition.content_type)
        assert response["Content-Disposition"].startswith("inline; filename=")

    for url in original_public_urls(media):
        for who in (None, people["humas"]):
            if who:
                client.force_login(who)
            response = client.get(url)
            assert response.status_code == 404, url
            assert media.originals[media.photo.pk] not in body_of(response)
            assert media.originals[media.video.pk] not in body_of(response)
        client.logout()

    # The newsroom's URLs stay private, even for a published item.
    for url, content in staff_urls(media):
        assert_refused(client.get(url), content)
    client.force_login(people["outsider"])
    for url, content in staff_urls(media):
        assert_refused(client.get(url), content)


@pytest.mark.django_db
def test_malformed_rendition_names_are_404(client, people, media):
    media.publish()
    name = basename(media.renditions[media.photo.pk]["og"][0])
    for wrong in (name.upper(), name + ".html", "../" + name, name[:-4], "x" + name[1:]):
        assert client.get(f"/media/r/{wrong}").status_code == 404, wrong


@pytest.mark.django_db
def test_media_answers_only_safe_methods(client, people, media):
    media.publish()
    client.force_login(people["humas"])
    url, _content = staff_urls(media)[0]
    assert client.post(url).status_code in (403, 405)
    public, _content = public_urls(media)[0]
    assert client.post(public).status_code in (403, 405)
    assert client.head(public).status_code == 200

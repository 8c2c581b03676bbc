"""The channel pages: who may open and post them, refusals that keep what was typed (and never
answer 500), and what each page shows."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from tests.newsroom.conftest import open_run
from tests.publishing.test_services import at_upload
from warta.audit.actions import is_registered, register_action
from warta.publishing import account_services, secrets, selectors
from warta.publishing import services as publishing
from warta.publishing.models import ChannelAccount, ChannelText, Publication

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.urls("tests.publishing.urls_for_tests"),
]


@pytest.fixture(autouse=True)
def _text_action():
    if not is_registered(account_services.TEXT_SAVED):  # until the app registers it
        register_action(account_services.TEXT_SAVED, "Channel texts saved")


@pytest.fixture
def admin(make_user):
    return make_user("admin", superuser=True)


def _as(client, user):
    client.force_login(user)
    return client


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(buffer, "PNG")
    return SimpleUploadedFile("layar.png", buffer.getvalue(), content_type="image/png")


def process_media(item) -> None:
    """Make the renditions the worker would make (the real processing, here in-process)."""
    from warta.media.tasks import process_asset

    for photo in item.photos.select_related("asset"):
        process_asset.call(photo.asset_id, photo.asset.generation)


def published_with_instagram(people, new_item):
    """An item at the upload step published: website live, Instagram waiting by hand."""
    item = at_upload(people, new_item, channels=("website", "instagram"))
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    return item, Publication.objects.get(item=item, channel="instagram")


# --- 1. accounts ---------------------------------------------------------------------------
def test_accounts_pages_are_for_staff_only(client, people, admin):
    _as(client, people["kabag"])
    assert client.get("/kerja/kanal/").status_code == 403
    assert client.post("/kerja/kanal/baru/?platform=instagram", {}).status_code == 403
    client.logout()
    assert client.get("/kerja/kanal/").status_code == 302  # to the sign-in
    _as(client, admin)
    page = client.get("/kerja/kanal/")
    assert page.status_code == 200
    assert "Instagram" in page.content.decode()


@override_settings(WARTA_TOKEN_WARNING_DAYS=14)
def test_accounts_list_warns_before_and_after_token_expiry(client, admin):
    now = timezone.now()
    ChannelAccount.objects.filter(code="instagram").update(
        token_expires_at=now + dt.timedelta(days=5, hours=1)
    )
    ChannelAccount.objects.filter(code="facebook").update(
        token_expires_at=now - dt.timedelta(days=1)
    )
    ChannelAccount.objects.filter(code="youtube").update(
        token_expires_at=now + dt.timedelta(days=60)
    )
    states = {row.account.code: row.token for row in selectors.account_rows()}
    assert (states["instagram"], states["facebook"], states["youtube"]) == ("soon", "expired", "ok")
    html = _as(client, admin).get("/kerja/kanal/").content.decode()
    assert "pill-amber" in html and "pill-red" in html


def test_create_account_with_secret_then_edit_keeps_it_and_never_shows_it(client, admin):
    _as(client, admin)
    chooser = client.get("/kerja/kanal/baru/")
    assert "?platform=wordpress" in chooser.content.decode()
    form = client.get("/kerja/kanal/baru/?platform=wordpress").content.decode()
    assert 'name="cred_application_password"' in form and 'type="password"' in form
    data = {
        "platform": "wordpress",
        "code": "wp-humas",
        "name": "WordPress Humas",
        "mode": "api",
        "base_url": "https://wp.example.go.id",
        "position": "3",
        "active": "on",
        "cred_username": "warta",
        "cred_application_password": "abcd efgh ijkl",
    }
    done = client.post("/kerja/kanal/baru/", data)
    account = ChannelAccount.objects.get(code="wp-humas")
    assert done.status_code == 302 and done["Location"] == f"/kerja/kanal/{account.pk}/"
    assert secrets.unseal(account.credentials)["application_password"] == "abcd efgh ijkl"

    edit = client.get(f"/kerja/kanal/{account.pk}/").content.decode()
    assert "abcd efgh ijkl" not in edit and "abcd" not in edit
    assert "(tersimpan)" in edit or "(set)" in edit

    data.update(name="WP Humas", cred_application_password="")
    del data["code"]
    assert client.post(f"/kerja/kanal/{account.pk}/", data).status_code == 302
    account.refresh_from_db()
    assert account.name == "WP Humas"
    assert secrets.unseal(account.credentials)["application_password"] == "abcd efgh ijkl"


def test_bad_account_input_keeps_the_form(client, admin):
    _as(client, admin)
    data = {
        "platform": "wordpress",
        "code": "website",  # taken
        "name": "Kept name",
        "mode": "api",
        "position": "1",
        "cred_username": "warta",
        "cred_application_password": "pw",
    }
    page = client.post("/kerja/kanal/baru/", data)
    assert page.status_code == 400
    html = page.content.decode()
    assert 'value="Kept name"' in html
    assert 'value="pw"' not in html  # a secret is never sent back
    data.update(code="ok-code", profile_url="not a url")
    assert client.post("/kerja/kanal/baru/", data).status_code == 400
    assert not ChannelAccount.objects.filter(code="ok-code").exists()


def test_connection_test_button_shows_the_result(client, admin):
    account = ChannelAccount.objects.get(code="instagram")
    account.mode = "api"
    account.save()
    _as(client, admin)
    answer = client.post(f"/kerja/kanal/{account.pk}/uji/", follow=True)
    assert answer.status_code == 200
    account.refresh_from_db()
    assert account.check_ok is False and account.checked_at is not None
    assert account.check_result in answer.content.decode()
    assert client.get(f"/kerja/kanal/{account.pk}/uji/").status_code == 405


def test_deactivate(client, admin, people):
    account = ChannelAccount.objects.get(code="x")
    assert (
        _as(client, people["humas"]).post(f"/kerja/kanal/{account.pk}/nonaktifkan/").status_code
        == 403
    )
    _as(client, admin).post(f"/kerja/kanal/{account.pk}/nonaktifkan/")
    account.refresh_from_db()
    assert account.active is False
    assert client.get("/kerja/kanal/99999999/").status_code == 404


# --- 2. channel texts ------------------------------------------------------------------------
def test_channel_texts_prefilled_saved_and_over_limit_kept(client, people, new_item):
    from warta.newsroom import services as newsroom

    item = new_item()
    newsroom.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={},
        channels=["website", "instagram", "x"],
    )
    instagram = ChannelAccount.objects.get(code="instagram")
    x = ChannelAccount.objects.get(code="x")
    url = f"/kerja/berita/{item.pk}/kanal/"
    page = _as(client, people["humas"]).get(url)
    html = page.content.decode()
    assert page.status_code == 200 and item.title in html
    assert f'name="text_{instagram.pk}"' in html and 'data-limit="2200"' in html

    too_long = "y" * 281
    refused = client.post(url, {f"text_{instagram.pk}": "Teks IG", f"text_{x.pk}": too_long})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert too_long in body and "Teks IG" in body and "281" in body
    assert not ChannelText.objects.exists()

    saved = client.post(url, {f"text_{instagram.pk}": "Teks IG", f"text_{x.pk}": "Teks X"})
    assert saved.status_code == 302
    assert ChannelText.objects.get(account=x).text == "Teks X"

    # The Kabag reads them but may not change them.
    _as(client, people["kabag"])
    assert client.get(url).status_code == 200
    assert client.post(url, {f"text_{x.pk}": "Diubah"}).status_code == 403
    assert ChannelText.objects.get(account=x).text == "Teks X"


# --- 3. preview ------------------------------------------------------------------------------
def test_preview_shows_each_target_with_its_rendition(client, people, new_item):
    item = at_upload(people, new_item, channels=("website", "instagram", "facebook"))
    process_media(item)
    page = _as(client, people["kabag"]).get(f"/kerja/berita/{item.pk}/pratinjau-kanal/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="ch-instagram"' in html and 'id="ch-facebook"' in html and 'id="ch-website"' in html
    photo = item.photos.first()
    assert f"/kerja/media/{photo.asset_id}/" in html
    previews = {p.account.code: p for p in selectors.channel_previews(item)}
    assert [p.spec for p in previews["instagram"].photos] == ["ig-portrait"]
    assert [p.spec for p in previews["facebook"].photos] == ["landscape"]
    assert client.get(previews["instagram"].photos[0].url).status_code == 200
    assert previews["instagram"].caption.startswith(item.title)


# --- 4. publication status -------------------------------------------------------------------
def test_record_address_refused_then_accepted_with_screenshot(client, people, new_item):
    item, instagram = published_with_instagram(people, new_item)
    process_media(item)
    status_url = f"/kerja/berita/{item.pk}/terbit/"
    page = _as(client, people["humas"]).get(status_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/kerja/terbit/{instagram.pk}/alamat/" in html
    assert "ch-prepare" in html and instagram.caption.split("\n")[0] in html
    assert f"/kerja/media/{item.photos.first().asset_id}/ig-portrait/" in html

    bad = "https://x.com/a/status/1"
    refused = client.post(f"/kerja/terbit/{instagram.pk}/alamat/", {"url": bad})
    assert refused.status_code == 400
    assert bad in refused.content.decode()
    instagram.refresh_from_db()
    assert instagram.state == "needs_manual"

    not_image = SimpleUploadedFile("layar.png", b"not an image", content_type="image/png")
    refused = client.post(
        f"/kerja/terbit/{instagram.pk}/alamat/",
        {"url": "https://www.instagram.com/p/abc/", "screenshot": not_image},
    )
    assert refused.status_code == 400
    instagram.refresh_from_db()
    assert instagram.state == "needs_manual"

    done = client.post(
        f"/kerja/terbit/{instagram.pk}/alamat/",
        {"url": "https://www.instagram.com/p/abc/", "screenshot": png()},
    )
    assert done.status_code == 302
    instagram.refresh_from_db()
    assert instagram.state == "published" and instagram.url == "https://www.instagram.com/p/abc/"
    assert instagram.screenshot is not None and instagram.screenshot.kind == "photo"
    item.refresh_from_db()
    assert item.case.status == "completed"


def test_only_who_may_act_on_the_step_records_or_retries(client, people, new_item):
    item, instagram = published_with_instagram(people, new_item)
    _as(client, people["kabag"])
    url = {"url": "https://www.instagram.com/p/abc/"}
    assert client.post(f"/kerja/terbit/{instagram.pk}/alamat/", url).status_code == 403
    assert client.post(f"/kerja/terbit/{instagram.pk}/kirim-ulang/").status_code == 403
    html = client.get(f"/kerja/berita/{item.pk}/terbit/").content.decode()
    assert f"/kerja/terbit/{instagram.pk}/alamat/" not in html
    instagram.refresh_from_db()
    assert instagram.state == "needs_manual"
    assert client.post("/kerja/terbit/99999999/alamat/", url).status_code == 404


def test_retry_of_a_manual_account_is_refused_with_a_clear_message(client, people, new_item):
    _item, instagram = published_with_instagram(people, new_item)
    Publication.objects.filter(pk=instagram.pk).update(state="failed", last_error="Boom")
    answer = _as(client, people["humas"]).post(f"/kerja/terbit/{instagram.pk}/kirim-ulang/")
    assert answer.status_code == 400
    assert "Boom" in answer.content.decode()


def test_publish_form_lists_targets_automatic_or_by_hand(people, new_item):
    from warta.newsroom.selectors import item_page

    item = at_upload(people, new_item, channels=("website", "instagram"))
    page = item_page(item.pk, people["humas"])
    html = render_to_string(
        "publishing/_publish_form.html", {"form": page.open.form, "item": item, "page": page}
    )
    assert f"/kerja/berita/{item.pk}/pratinjau-kanal/" in html


# --- 5. also on ------------------------------------------------------------------------------
def test_public_links_only_published_latest_not_withdrawn(client, people, new_item):
    item, instagram = published_with_instagram(people, new_item)
    assert selectors.public_links(item) == []
    publishing.record_manual(
        publication_id=instagram.pk, user=people["humas"], url="https://www.instagram.com/p/abc/"
    )
    links = selectors.public_links(item)
    assert links == [("Instagram", "https://www.instagram.com/p/abc/")]
    html = render_to_string("publishing/_also_on.html", {"links": links})
    assert 'href="https://www.instagram.com/p/abc/"' in html

    # 6. withdrawal: reason required, then the posts are no longer listed.
    _as(client, people["humas"])
    refused = client.post(f"/kerja/berita/{item.pk}/tarik/", {"reason": "   "})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.published_at is not None
    from django.contrib.auth import get_user_model

    _as(client, get_user_model().objects.create_user("tanpa-peran", password="x"))
    assert client.post(f"/kerja/berita/{item.pk}/tarik/", {"reason": "Salah"}).status_code == 403
    _as(client, people["humas"])
    done = client.post(f"/kerja/berita/{item.pk}/tarik/", {"reason": "Data keliru"})
    assert done.status_code == 302
    assert selectors.public_links(item) == []
    removal = Publication.objects.get(item=item, channel="instagram", operation="withdraw")
    assert removal.state == "needs_manual"
    assert client.post(f"/kerja/terbit/{removal.pk}/sudah-dihapus/").status_code == 302
    removal.refresh_from_db()
    assert removal.state == "withdrawn"


def test_preview_and_status_take_as_many_queries_for_one_account_as_for_five(
    client, people, new_item
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    extra = [
        ChannelAccount.objects.create(
            code=f"{platform}-dua", name=f"Akun {platform} dua", platform=platform
        )
        for platform in ("instagram", "facebook", "x")
    ]
    one = at_upload(people, new_item, title="Satu akun", channels=("website", "instagram"))
    five = at_upload(
        people,
        new_item,
        title="Lima akun",
        channels=("website", "instagram", "facebook", *(account.code for account in extra)),
    )
    for item in (one, five):
        process_media(item)
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    _as(client, people["humas"])
    counts = {}
    for item in (one, five):
        for page in ("pratinjau-kanal", "terbit"):
            url = f"/kerja/berita/{item.pk}/{page}/"
            client.get(url)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200
            counts[item, page] = len(queries)
    assert counts[one, "pratinjau-kanal"] == counts[five, "pratinjau-kanal"]
    assert counts[one, "terbit"] == counts[five, "terbit"]
    # Each account by its own name (the publications' accounts, no query each).
    status = client.get(f"/kerja/berita/{five.pk}/terbit/").content.decode()
    assert all(account.name in status for account in extra)

"""Step 7 end to end in a real browser: Staf Humas publish an item to a real WordPress (the
worker sends it through the REST API) and to an account used by hand (the address recorded on
the status page); the step finishes only then, the timeline shows both addresses, and the public
article links them ("Juga di")."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_publishing_channels import item_for_permission
from tests.newsroom.test_services import walk_to
from tests.publishing.wordpress import wordpress_site  # noqa: F401 - session fixture
from warta.publishing.models import ChannelAccount, Publication
from warta.publishing.secrets import seal

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def test_publish_to_wordpress_and_by_hand(people, open_browser, shoot, wordpress):
    wp = ChannelAccount.objects.create(
        code="situs-wp",
        name="Situs WordPress",
        platform="wordpress",
        mode=ChannelAccount.Mode.API,
        base_url=wordpress.url,
        credentials=seal(
            {
                "username": wordpress.username,
                "application_password": wordpress.application_password,
            }
        ),
        options={"categories": "Berita", "tags": "Taruna"},
        position=1,
    )
    item = walk_to(item_for_permission(people), people, "unggah")
    item.channels = ["website", wp.code, "instagram"]
    item.save(update_fields=["channels"])

    page = open_browser("humas")
    page.goto(f"/kerja/berita/{item.pk}/")
    page.click("button[value=publish]")
    expect(page.locator(".msg-success")).to_be_visible()
    run_worker()  # sends the post to WordPress

    wp_pub = Publication.objects.get(item=item, account=wp)
    assert wp_pub.state == "published", (wp_pub.state, wp_pub.last_error)
    post = wordpress.read_post(wp_pub.external_id)
    assert post["link"] == wp_pub.url
    assert post["title"]["raw"] == item.title
    assert post["featured_media"]
    assert wordpress.read_media(post["featured_media"])["alt_text"] == "Foto 0 kuliah umum"

    # Instagram is used by hand: the step waits for its address.
    instagram = Publication.objects.get(item=item, channel="instagram")
    assert instagram.state == "needs_manual"
    page.goto(f"/kerja/berita/{item.pk}/")
    expect(page.locator(".timeline")).not_to_contain_text("Proses selesai")
    page.goto(f"/kerja/berita/{item.pk}/terbit/")
    card = page.locator(f"#pub-{instagram.pk}")
    card.locator("input[name=url]").fill("https://www.instagram.com/p/Ckuliah1/")
    card.locator("button[type=submit].btn-primary").click()
    expect(page.locator(".msg-success")).to_be_visible()

    page.goto(f"/kerja/berita/{item.pk}/")
    outputs = page.locator(".timeline .t-out")
    expect(outputs).to_contain_text("Situs WordPress")
    expect(outputs).to_contain_text("Instagram")
    assert outputs.locator(f"a[href='{wp_pub.url}']").count() == 1
    assert outputs.locator("a[href='https://www.instagram.com/p/Ckuliah1/']").count() == 1
    expect(page.locator("body")).to_contain_text("Terunggah")
    shoot(page, "publish-wordpress-timeline")

    item.refresh_from_db()
    public = open_browser()
    public.goto(f"/berita/{item.slug}/")
    also = public.locator(".also-on")
    expect(also).to_contain_text("Situs WordPress")
    assert also.locator(f"a[href='{wp_pub.url}']").count() == 1
    assert also.locator("a[href='https://www.instagram.com/p/Ckuliah1/']").count() == 1
    shoot(public, "publish-wordpress-article")

"""``publishing.services.publish``: the website at once, other channels by hand, one audit
event, and the step finished through the engine — all or nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import walk_to
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.newsroom import services as newsroom
from warta.newsroom.errors import NotEditable
from warta.newsroom.models import NewsItem
from warta.publishing import services as publishing
from warta.publishing.models import Publication
from warta.publishing.post_urls import InvalidPostUrl
from warta.workflow.errors import NotPermitted
from warta.workflow.models import StepRun


def reload(item):
    return NewsItem.objects.select_related("case").get(pk=item.pk)


def at_upload(people, new_item, *, title="Kuliah Umum Keimigrasian", channels=("website",)):
    item = new_item(title)
    newsroom.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={},
        channels=list(channels),
    )
    return walk_to(item, people, "unggah")


@pytest.mark.django_db
def test_whole_sop_ends_published(people, new_item):
    item = walk_to(new_item(), people, "unggah")
    with pytest.raises(NotEditable):  # editing is closed at this step
        newsroom.save_draft(
            item_id=item.pk,
            user=people["humas"],
            base_version=item.edit_version,
            content={"title": "x"},
        )
    run = open_run(item)
    publishing.publish(
        item_id=item.pk,
        step_run_id=run.pk,
        user=people["humas"],
        channel_urls={"instagram": "https://instagram.com/p/1"},
    )
    item = reload(item)
    assert item.is_published and item.slug
    assert item.case.status == "completed" and item.case.end_state == "terunggah"
    # instagram was not a target channel, so its address is not recorded
    assert list(item.publications.values_list("channel", flat=True)) == ["website"]
    assert list(verify_chain()) == []


@pytest.mark.django_db
@override_settings(WARTA_SITE_URL="https://humas.example.go.id/")
def test_records_the_website_and_the_target_channels_posted_by_hand(people, new_item):
    item = at_upload(people, new_item, channels=("website", "instagram", "facebook"))
    run = open_run(item)
    publishing.publish(
        item_id=item.pk,
        step_run_id=run.pk,
        user=people["humas"],
        channel_urls={
            "instagram": "  https://www.instagram.com/p/abc/ ",
            "facebook": "https://www.facebook.com/poltekim/posts/123",
            "x": "https://x.com/i/status/1",  # not a target channel
        },
        note="Sudah diunggah.",
        ip="192.0.2.5",
    )
    item = reload(item)
    rows = {pub.channel: pub for pub in Publication.objects.filter(item=item)}
    assert set(rows) == {"website", "instagram", "facebook"}
    assert rows["website"].url == f"https://humas.example.go.id/berita/{item.slug}/"
    assert rows["instagram"].url == "https://www.instagram.com/p/abc/"
    assert {pub.state for pub in rows.values()} == {"published"}
    assert {pub.published_by for pub in rows.values()} == {people["humas"]}

    finished = StepRun.objects.get(pk=run.pk)
    assert (finished.finished_by, finished.note) == (people["humas"], "Sudah diunggah.")
    event = Event.objects.get(action="newsroom.item_published")
    assert (event.object_id, event.actor_id, event.ip) == (
        str(item.pk),
        people["humas"].pk,
        "192.0.2.5",
    )
    assert event.after == {
        "slug": item.slug,
        "channels": {code: row.url for code, row in rows.items()},
    }
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_a_channel_posted_by_hand_later_keeps_the_step_open_until_recorded(people, new_item):
    item = at_upload(people, new_item, channels=("website", "instagram", "facebook"))
    run = open_run(item)
    publishing.publish(
        item_id=item.pk,
        step_run_id=run.pk,
        user=people["humas"],
        channel_urls={"instagram": "https://www.instagram.com/p/abc/"},
    )
    item = reload(item)
    assert item.is_published  # the website does not wait for the others
    facebook = Publication.objects.get(item=item, channel="facebook")
    assert facebook.state == "needs_manual"
    assert StepRun.objects.get(pk=run.pk).finished_at is None
    assert item.case.status == "open"

    with pytest.raises(InvalidPostUrl):  # not a Facebook address: nothing changes
        publishing.record_manual(
            publication_id=facebook.pk, user=people["humas"], url="https://x.com/a/status/1"
        )
    facebook.refresh_from_db()
    assert facebook.state == "needs_manual" and facebook.url == ""

    publishing.record_manual(
        publication_id=facebook.pk,
        user=people["humas"],
        url="https://www.facebook.com/poltekim/posts/99",
    )
    item = reload(item)
    assert StepRun.objects.get(pk=run.pk).finished_at is not None
    assert item.case.status == "completed"
    assert (
        Publication.objects.get(pk=facebook.pk).url == "https://www.facebook.com/poltekim/posts/99"
    )
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_a_wrong_address_given_when_publishing_publishes_nothing(people, new_item):
    item = at_upload(people, new_item, channels=("website", "instagram"))
    with pytest.raises(InvalidPostUrl):
        publishing.publish(
            item_id=item.pk,
            step_run_id=open_run(item).pk,
            user=people["humas"],
            channel_urls={"instagram": "https://www.facebook.com/poltekim/posts/1"},
        )
    assert reload(item).published_at is None and not Publication.objects.exists()


@pytest.mark.django_db
def test_a_title_taken_by_another_item_gets_the_item_id_in_its_address(people, new_item):
    for _ in range(2):
        item = at_upload(people, new_item, title="Upacara Hari Bhakti")
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    first, second = NewsItem.objects.order_by("pk")
    assert first.slug == "upacara-hari-bhakti"
    assert second.slug == f"upacara-hari-bhakti-{second.pk}"


@pytest.mark.django_db
def test_someone_who_may_not_finish_the_step_publishes_nothing(people, new_item):
    item = at_upload(people, new_item)
    with pytest.raises(NotPermitted):
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["kabag"])
    item = reload(item)
    assert (item.slug, item.published_at) == (None, None)
    assert not Publication.objects.exists()
    assert not Event.objects.filter(action="newsroom.item_published").exists()
    assert open_run(item).step_id == "unggah"


@pytest.mark.django_db
def test_a_step_of_another_item_publishes_nothing(people, new_item):
    item = at_upload(people, new_item)
    other = new_item("Berita lain")
    with pytest.raises(StepRun.DoesNotExist):
        publishing.publish(item_id=item.pk, step_run_id=open_run(other).pk, user=people["humas"])
    assert reload(item).published_at is None
    assert not Publication.objects.exists()


@pytest.mark.django_db
def test_a_step_not_served_by_publishing_publishes_nothing(people, new_item):
    """Publishing is allowed only at a step whose definition says ``uses: publishing.publish``."""
    item = walk_to(new_item(), people, "perintah_unggah")  # the Kasubbag's order, not the upload
    with pytest.raises(NotPermitted):
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["kasubbag"])
    item = reload(item)
    assert item.published_at is None and not Publication.objects.exists()
    assert open_run(item).step_id == "perintah_unggah"

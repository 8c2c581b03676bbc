"""What is published: only items the publish service gave an address and a time, and their media."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import walk_to
from warta.media.models import Asset, Rendition
from warta.media.tasks import process_asset
from warta.newsroom.models import NewsItem
from warta.publishing import selectors
from warta.publishing import services as publishing


@pytest.mark.django_db
def test_only_published_items_and_their_renditions_are_published(people, new_item):
    draft = new_item("Masih draf")
    at_upload = walk_to(new_item("Menunggu unggah"), people, "unggah")
    done = walk_to(new_item("Sudah terbit"), people, "unggah")
    publishing.publish(item_id=done.pk, step_run_id=open_run(done).pk, user=people["humas"])
    # An address alone or a time alone is not published (never written so by the service).
    NewsItem.objects.filter(pk=draft.pk).update(slug="masih-draf")
    NewsItem.objects.filter(pk=at_upload.pk).update(published_at=timezone.now())

    assert list(selectors.published_items()) == [NewsItem.objects.get(pk=done.pk)]
    # The worker makes every item's renditions; only the published item's become public.
    for asset in Asset.objects.filter(state=Asset.State.PROCESSING):
        process_asset.call(asset.pk, asset.generation)
    made = Rendition.objects.filter(asset__news_photo__item=done)
    assert made.filter(spec="web-jpeg").exists()
    assert Rendition.objects.exclude(asset__news_photo__item=done).exists()  # the others'
    assert set(selectors.published_renditions()) == set(made)
    assert [pub.channel for pub in selectors.publications_of(done.pk)] == ["website"]
    assert not selectors.publications_of(draft.pk).exists()


@pytest.mark.django_db
def test_newest_first(people, new_item):
    items = []
    for title in ("Pertama", "Kedua"):
        item = walk_to(new_item(title), people, "unggah")
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
        items.append(item.pk)
    assert [item.pk for item in selectors.published_items()] == items[::-1]

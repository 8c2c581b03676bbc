"""The item page and the inbox run a fixed number of queries, whatever the number of items,
photos and steps."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.newsroom.conftest import open_run
from tests.newsroom.test_services import walk_to
from warta.newsroom import services


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def returned(item, people, times: int):
    """Walk the item to the review step, returning it for revision ``times`` times."""
    item = walk_to(item, people, "periksa")
    for _ in range(times):
        services.decide(
            item_id=item.pk,
            step_run_id=open_run(item).pk,
            user=people["kasubbag"],
            branch="kembalikan",
            reason="Perbaiki.",
        )
        item = walk_to(item, people, "periksa")
    return item


@pytest.mark.django_db
def test_item_page_queries_do_not_grow_with_steps_and_photos(client, people, new_item):
    short = returned(new_item("Sedikit langkah", photos=1), people, 1)
    long = returned(new_item("Banyak langkah", photos=4), people, 3)
    assert long.case.step_runs.count() == short.case.step_runs.count() + 4
    for viewer in ("kasubbag", "humas", "kabag"):
        client.force_login(people[viewer])
        assert count_queries(client, f"/kerja/berita/{short.pk}/") == count_queries(
            client, f"/kerja/berita/{long.pk}/"
        )


@pytest.mark.django_db
def test_inbox_queries_do_not_grow_with_items(client, people, new_item):
    client.force_login(people["humas"])
    new_item("Pertama")
    one = count_queries(client, "/kerja/")
    for n in range(5):
        new_item(f"Berita {n}")
    assert count_queries(client, "/kerja/") == one
    client.force_login(people["kasubbag"])
    unit_one = count_queries(client, "/kerja/unit/")
    new_item("Lagi")
    assert count_queries(client, "/kerja/unit/") == unit_one

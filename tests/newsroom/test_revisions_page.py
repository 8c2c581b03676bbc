"""The saved-versions page: every version reachable through its pages, any two comparable,
odd version numbers harmless."""

from __future__ import annotations

import pytest
from django.utils import timezone

from warta.newsroom.views import REVISIONS_PAGE_SIZE


@pytest.fixture
def many_versions(people, new_item):
    from warta.newsroom.models import Revision

    item = new_item()
    start = item.revisions.count()
    now = timezone.now()
    Revision.objects.bulk_create(
        Revision(
            item=item,
            number=start + n + 1,
            kind=Revision.Kind.AUTOSAVE,
            title=f"Judul versi {start + n + 1}",
            body=f"<p>Isi versi {start + n + 1}</p>",
            saved_by=people["humas"],
            saved_at=now,
        )
        for n in range(REVISIONS_PAGE_SIZE * 2)
    )
    return item


@pytest.mark.django_db
def test_every_version_is_listed_on_some_page(client, people, many_versions):
    item = many_versions
    client.force_login(people["kasubbag"])
    url = f"/kerja/berita/{item.pk}/versi/"
    listed: list[int] = []
    for page in range(1, 10):
        response = client.get(url, {"page": page})
        numbers = [rev.number for rev in response.context["revisions"]]
        assert len(numbers) <= REVISIONS_PAGE_SIZE
        if set(numbers) <= set(listed):
            break
        listed += numbers
    expected = list(item.revisions.order_by("-number").values_list("number", flat=True))
    assert listed == expected


@pytest.mark.django_db
def test_two_versions_on_different_pages_can_be_compared(client, people, many_versions):
    item = many_versions
    client.force_login(people["kasubbag"])
    oldest, newest = 1, item.revisions.count()
    response = client.get(f"/kerja/berita/{item.pk}/versi/", {"a": oldest, "b": newest})
    assert response.status_code == 200
    diff = response.context["diff"]
    assert (diff["older"].number, diff["newer"].number) == (oldest, newest)
    assert f"Isi versi {newest}" in str(diff["html"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [{"a": "1", "b": str(10**20)}, {"a": "-1", "b": "2"}, {"a": "x", "b": ""}, {"page": "-3"}],
)
def test_odd_version_numbers_give_the_page_without_a_comparison(
    client, people, many_versions, query
):
    client.force_login(people["kasubbag"])
    response = client.get(f"/kerja/berita/{many_versions.pk}/versi/", query)
    assert response.status_code == 200
    assert response.context["diff"] is None

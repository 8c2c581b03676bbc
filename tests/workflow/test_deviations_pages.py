"""Deviations on the pages: a to-do on "Tugas saya" instead of a warning on every page, and a
missing item already on record shown as such on the item page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.newsroom.conftest import jpeg
from warta.newsroom import services as newsroom
from warta.workflow.deviations import explain_deviation
from warta.workflow.models import Deviation

TODO = "catatan penyimpangan menunggu penjelasan Anda"


@pytest.fixture
def team(humas_sop, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return {
        "humas": make_user("humas", "staf_humas", full_name="Sari Wulandari"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt", full_name="Rina Kartika"),
    }


def _item(author, title: str):
    return newsroom.create_item(
        user=author,
        title=title,
        activity_name="Kuliah umum",
        activity_at=timezone.now() - dt.timedelta(hours=3),
        place="Aula",
        covered_by="Sari",
        body="<p>Politeknik Imigrasi menggelar kuliah umum.</p>",
        photos=[jpeg()],
    )


def _submit(item, user) -> None:
    run = item.case.step_runs.get(finished_at__isnull=True)
    newsroom.submit(item_id=item.pk, step_run_id=run.pk, user=user)
    item.refresh_from_db()


@pytest.mark.django_db
def test_the_inbox_lists_what_waits_for_an_explanation(client, team):
    humas = team["humas"]
    for title in ("Wisuda", "Bakti sosial"):
        _submit(_item(humas, title), humas)  # no video: one record each
    assert Deviation.objects.filter(attributed_to=humas).count() == 2
    client.force_login(humas)

    page = client.get("/kerja/").content.decode()
    assert f"2 {TODO}" in page
    assert f'href="/kerja/penyimpangan/orang/{humas.pk}/"' in page
    # Not a warning on every page any more.
    other = client.get(f"/kerja/penyimpangan/orang/{humas.pk}/").content.decode()
    assert TODO not in other and "deviation-prompt" not in other

    for deviation in Deviation.objects.filter(attributed_to=humas):
        explain_deviation(
            deviation_id=deviation.pk,
            user=humas,
            explanation="Kegiatan ini tidak direkam dalam video.",
        )
    page = client.get("/kerja/").content.decode()
    assert TODO not in page and "deviation-prompt" not in page


@pytest.mark.django_db
def test_someone_with_nothing_to_explain_sees_no_to_do(client, team):
    _submit(_item(team["humas"], "Wisuda"), team["humas"])
    client.force_login(team["kasubbag"])
    assert TODO not in client.get("/kerja/").content.decode()


@pytest.mark.django_db
def test_later_steps_show_a_missing_item_as_already_recorded(client, team):
    humas, kasubbag = team["humas"], team["kasubbag"]
    item = _item(humas, "Wisuda")
    client.force_login(humas)
    page = client.get(f"/kerja/berita/{item.pk}/").content.decode()
    assert "Video kegiatan — belum ada (akan dicatat sebagai penyimpangan)" in page
    _submit(item, humas)
    page = client.get(f"/kerja/berita/{item.pk}/").content.decode()
    assert "Video kegiatan — belum ada (sudah dicatat pada langkah 1)" in page
    _submit(item, humas)  # step 2: still no video, nothing new
    client.force_login(kasubbag)
    page = client.get(f"/kerja/berita/{item.pk}/").content.decode()
    assert "Video kegiatan — belum ada (sudah dicatat pada langkah 1)" in page
    assert "akan dicatat sebagai penyimpangan" not in page
    assert Deviation.objects.count() == 1


@pytest.mark.django_db
def test_long_deviation_lists_are_paged_and_none_is_hidden(client, team, settings):
    """Every deviation is reachable through the pages; none is cut off by a fixed slice."""
    from warta.workflow import views

    humas, kasubbag = team["humas"], team["kasubbag"]
    item = _item(humas, "Wisuda")
    _submit(item, humas)
    template = Deviation.objects.get(attributed_to=humas)
    total = views.PAGE_SIZE * 2 + 3
    Deviation.objects.bulk_create(
        Deviation(
            case=template.case,
            step_run=template.step_run,
            kind=template.kind,
            subject=f"extra-{n}",
            detail=f"Catatan uji {n:03d}",
            attributed_to=humas,
            created_at=template.created_at + dt.timedelta(seconds=n + 1),
        )
        for n in range(total - 1)
    )
    client.force_login(kasubbag)
    seen = set()
    pages = 0
    url = "/kerja/penyimpangan/"
    for page in range(1, 10):
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        shown = {d.pk for d in response.context["deviations"]}
        assert len(shown) <= views.PAGE_SIZE
        if shown <= seen:
            break
        seen |= shown
        pages += 1
    assert seen == set(Deviation.objects.values_list("pk", flat=True))
    assert pages == -(-total // views.PAGE_SIZE)
    text = client.get(url, {"page": 2}).content.decode()
    assert 'rel="prev"' in text and 'rel="next"' in text and f"dari {pages}" in text
    # An odd page number gives the nearest page, not an error.
    assert client.get(url, {"page": "-5"}).status_code == 200
    assert client.get(url, {"page": "999999999999"}).status_code == 200
    # The person's page is paged the same way.
    mine = client.get(f"/kerja/penyimpangan/orang/{humas.pk}/", {"page": pages})
    assert len(mine.context["deviations"]) == total - views.PAGE_SIZE * (pages - 1)

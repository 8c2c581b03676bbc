"""The demo news: items driven through the real Humas SOP, created once, on an empty database."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from warta.audit.verify import verify_chain
from warta.demo import news as demo
from warta.demo.images import HEIGHT, SCENES, WIDTH, demo_photo
from warta.demo.people import create_demo_users
from warta.newsroom.models import NewsItem
from warta.publishing.models import Publication
from warta.workflow.models import Case, Deviation
from warta.workflow.selectors import unexplained_for

User = get_user_model()


@pytest.fixture
def demo_news(humas_sop, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    create_demo_users()
    return demo.create_demo_news()


def _open_run(item):
    return item.case.step_runs.get(finished_at__isnull=True)


@pytest.mark.django_db
def test_items_end_where_designed(demo_news):
    assert len(demo_news) == len(demo.STORIES) == NewsItem.objects.count() == 7
    stages = [demo.stage_of(item) for item in demo_news]
    assert stages == [story.stage for story in demo.STORIES]
    assert stages.count(demo.PUBLISHED) == 4

    for item in demo_news:
        assert 2 <= item.photos.count() <= 4
        assert all(photo.asset.caption and photo.asset.alt_text for photo in item.photos.all())
        assert item.cover is not None
        assert item.activity_at < item.created_at

    published = NewsItem.objects.filter(published_at__isnull=False)
    assert published.count() == 4
    for item in published:
        assert item.slug
        assert item.case.status == Case.Status.COMPLETED
        assert item.case.end_state == "terunggah"
        assert [run.step_id for run in item.case.step_runs.order_by("seq")] == [
            "catat", "edit", "periksa", "lapor_kabag", "izin", "perintah_unggah", "unggah",
        ]  # fmt: skip
        assert Publication.objects.filter(item=item, channel="website").exists()
        assert Publication.objects.filter(item=item).count() == len(item.channels) >= 2

    # created once only, and the audit chain still verifies
    assert demo.create_demo_news() == []
    assert NewsItem.objects.count() == 7
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_open_items_wait_where_designed(demo_news):
    waiting = [item for item in demo_news if not item.is_published]
    assert [_open_run(item).step_id for item in waiting] == ["edit", "izin", "catat"]
    returned, at_izin, fresh = waiting

    # returned by the Kasubbag: back at "edit" for humas, in revision round 1, with her note
    run = _open_run(returned)
    assert (run.revision_round, run.assignee.username) == (1, "humas")
    assert returned.case.revision_round == 1
    periksa = returned.case.step_runs.get(step_id="periksa")
    assert (periksa.finished_by.username, periksa.outcome) == ("kasubbag", "kembalikan")
    assert "narasumber" in periksa.note
    assert demo.stage_of(returned) == demo.RETURNED

    assert _open_run(at_izin).role_id == "kabag_adm_umum"
    assert fresh.created_by.username == "humas2"


@pytest.mark.django_db
def test_the_demo_starts_with_one_deliberate_deviation_to_explain(demo_news):
    """Not "26 penyimpangan" for everyone: a missing video is on record once per item,
    explained and acknowledged; one late step waits for Sari's explanation."""
    pending = Deviation.objects.filter(explained_at__isnull=True)
    [late] = pending
    assert (late.kind, late.attributed_to.username) == ("waktu", "humas")
    assert (late.step_run.step_id, late.step_run.finished_at > late.step_run.due_at) == (
        "edit",
        True,
    )
    assert (
        late.case.news_item.title == "Upacara Hari Bhakti Imigrasi di Lapangan Politeknik Imigrasi"
    )
    for username in ("humas2", "kasubbag", "kabag"):
        assert not unexplained_for(User.objects.get(username=username)).exists()
    assert list(unexplained_for(User.objects.get(username="humas"))) == [late]

    # The items that were not filmed: one record per item that left step 1, none for the
    # reviewers; the filmed ones have their video and no such record.
    video = Deviation.objects.exclude(kind="waktu")
    started = [
        item for item in demo_news if item.case.step_runs.count() > 1 and not item.videos.exists()
    ]
    assert started, "the demo keeps one not-filmed item that has left step 1"
    assert sum(item.videos.exists() for item in demo_news) >= 4
    assert sorted(d.case_id for d in video) == sorted(item.case_id for item in started)
    assert {(d.kind, d.subject, d.step_run.step_id) for d in video} == {
        ("kelengkapan", "video", "catat")
    }
    assert all(d.review == "acknowledged" and d.explanation for d in video)
    assert Deviation.objects.count() == len(started) + 1

    # The published items happened on their activity's day, within each step's standard.
    for item in demo_news:
        if not item.is_published:
            continue
        runs = list(item.case.step_runs.order_by("seq"))
        assert timezone.localdate(runs[0].started_at) >= timezone.localdate(item.activity_at)
        assert item.published_at < timezone.now() - dt.timedelta(days=5)
        late_runs = [r for r in runs if r.due_at and r.finished_at > r.due_at]
        assert late_runs == ([late.step_run] if item.case_id == late.case_id else [])


@pytest.mark.django_db
def test_the_inbox_shows_the_deliberate_example_as_a_to_do(demo_news, client):
    client.force_login(User.objects.get(username="humas"))
    assert (
        "1 catatan penyimpangan menunggu penjelasan Anda" in client.get("/kerja/").content.decode()
    )
    client.force_login(User.objects.get(username="kasubbag"))
    assert "catatan penyimpangan menunggu" not in client.get("/kerja/").content.decode()


@pytest.mark.django_db
def test_nothing_without_the_demo_users(humas_sop, make_user):
    make_user("someone", "staf_humas")
    assert demo.create_demo_news() == []
    assert not NewsItem.objects.exists()


@pytest.mark.django_db
def test_demo_command_reports_the_news(humas_sop, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert (
        "Berita contoh dibuat: 7 (4 terbit, 1 dikembalikan untuk revisi, 1 menunggu izin Kabag, "
        "1 catatan baru)." in out.getvalue()
    )
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Berita contoh" not in out.getvalue()
    assert NewsItem.objects.count() == 7


@pytest.mark.parametrize("scene", SCENES)
def test_images_are_jpegs_of_the_stated_size_and_deterministic(scene):
    data = demo_photo(7, scene=scene, label="Wisuda Taruna")
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("JPEG", (WIDTH, HEIGHT)) == ("JPEG", (1600, 1000))
    assert demo_photo(7, scene=scene, label="Wisuda Taruna") == data
    assert demo_photo(8, scene=scene, label="Wisuda Taruna") != data

"""The ten-year data generator (bench/generate.py) on a few items: every story shape goes through
the real services and ends where it should, and the audit chain it leaves verifies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from warta.audit.verify import verify_chain
from warta.demo.people import create_demo_users
from warta.newsroom.models import NewsItem, Photo
from warta.workflow.models import Case, Deviation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import generate
import replicate


def _a_working_day_ago(days: int) -> dt.date:
    day = timezone.localdate() - dt.timedelta(days=days)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.django_db  # the working calendar is configured in the database
def test_plan_spreads_items_over_working_days_in_date_order():
    end = dt.date(2026, 11, 27)
    plan = generate.plan_items(0.5, 100, end)
    assert len(plan) == 50
    days = [dt.date.fromisoformat(day) for _index, day in plan]
    assert days == sorted(days)
    assert all(day.weekday() < 5 for day in days)
    assert (end - days[0]).days > 150 and days[-1] <= end
    assert len(generate.plan_items(0.001, 10, end)) == 1  # a tiny run still has a day


@pytest.mark.django_db
def test_story_shapes_through_the_services(humas_sop, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    create_demo_users()
    player = generate.Player()
    day = _a_working_day_ago(20)
    base = generate.make_story(0, 1000, day, player.authors)
    plain = dict(returns=0, late_step=None, refused=False, stop_after=None, filmed=True)
    shapes = {
        "straight": dict(plain),
        "returned": dict(plain, returns=1),
        "late": dict(plain, late_step=1, explains_late=True),
        "not filmed": dict(plain, filmed=False),
        "refused": dict(plain, refused=True),
        "open": dict(plain, stop_after=2),
    }
    items = {}
    for index, (name, changes) in enumerate(shapes.items(), start=1):
        story = dataclasses.replace(base, index=index, title=f"{base.title} {index}", **changes)
        player.play(story)
        items[name] = NewsItem.objects.select_related("case").get(title=story.title)

    for name in ("straight", "returned", "late", "not filmed"):
        item = items[name]
        assert item.case.status == Case.Status.COMPLETED, name
        assert item.published_at is not None, name
        # Played on its day, not today.
        assert timezone.localdate(item.published_at) - day < dt.timedelta(days=7), name
    assert items["returned"].case.revision_round == 1
    assert items["straight"].case.revision_round == 0
    assert items["refused"].case.status == Case.Status.REFUSED
    assert items["refused"].published_at is None
    assert items["open"].case.status == Case.Status.OPEN
    assert items["open"].published_at is None

    late = Deviation.objects.get(case=items["late"].case, kind=Deviation.Kind.WAKTU)
    assert late.explanation and late.review == Deviation.Review.ACKNOWLEDGED
    missing = Deviation.objects.get(case=items["not filmed"].case)
    assert missing.kind == Deviation.Kind.KELENGKAPAN and missing.explanation
    assert not Deviation.objects.filter(case=items["straight"].case).exists()

    assert list(verify_chain()) == []
    generate.report()
    out = capsys.readouterr().out
    assert "Database size:" in out and "Audit chain: intact" in out


@pytest.mark.django_db
def test_replicated_copies_are_whole_shifted_and_keep_the_chain(humas_sop, settings, tmp_path):
    from django.db import connection, transaction

    from warta.audit.models import ChainHead, Event
    from warta.audit.services import record_event
    from warta.notify.models import Notification, OutgoingMail
    from warta.search.models import SearchEntry

    settings.MEDIA_ROOT = tmp_path
    create_demo_users()
    player = generate.Player()
    day = _a_working_day_ago(25)
    watermark = replicate.Watermark.take()
    base = generate.make_story(0, 1000, day, player.authors)
    plain = dict(returns=0, late_step=None, refused=False, stop_after=None, filmed=True)
    for index, changes in enumerate(
        [plain, dict(plain, returns=1), dict(plain, filmed=False)], start=1
    ):
        player.play(
            dataclasses.replace(base, index=index, title=f"{base.title} {index}", **changes)
        )
    seed_items = list(NewsItem.objects.order_by("pk"))
    assert len(seed_items) == 3
    events_before = Event.objects.count()
    seed_events = Event.objects.filter(pk__gt=watermark.last_pk[Event]).count()
    mails = OutgoingMail.objects.count()

    replicator = replicate.Replicator(
        watermark=watermark, root=NewsItem, skip=[OutgoingMail, SearchEntry]
    )
    seed_rows = {
        model: model._base_manager.filter(pk__gt=watermark.last_pk[model]).count()
        for model in replicator.tables
    }
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(0)))
    made = replicate.fill(
        replicator,
        weeks=1,
        first_start=start,
        stop_at=start + dt.timedelta(weeks=3),
        progress=lambda line: None,
    )
    assert made == 6

    # Every table the seed wrote holds three times the seed's rows; the skipped ones do not.
    for model, count in seed_rows.items():
        written = model._base_manager.filter(pk__gt=watermark.last_pk[model]).count()
        assert written == 3 * count, model._meta.label
    assert OutgoingMail.objects.count() == mails  # pruned by-products are not copied
    connection.check_constraints()  # every foreign key names an existing row

    items = list(NewsItem.objects.order_by("pk"))
    assert len(items) == 9
    slugs = [item.slug for item in items if item.slug]
    assert len(slugs) == len(set(slugs)) == 9
    keys = list(Notification.objects.exclude(dedupe_key="").values_list("recipient", "dedupe_key"))
    assert len(keys) == len(set(keys))
    seed_assets = set(Photo.objects.filter(item__in=seed_items).values_list("asset", flat=True))
    for number, item in enumerate(items):
        original = seed_items[number % 3]
        copy = number // 3
        assert item.activity_at - original.activity_at == dt.timedelta(weeks=copy)
        assert item.published_at - original.published_at == dt.timedelta(weeks=copy)
        assert item.case.subject_id == str(item.pk)
        assert item.case.step_runs.count() == original.case.step_runs.count()
        assert all(run.case_id == item.case_id for run in item.case.step_runs.all())
        assert item.cover is None or item.cover.item_id == item.pk
        assets = {photo.asset_id for photo in item.photos.all()}
        assert assets and (assets <= seed_assets) == (copy == 0)
        # The copies' files are the seed's files.
        assert sorted(p.asset.original.name for p in item.photos.all()) == sorted(
            p.asset.original.name for p in original.photos.all()
        )
        # The events of an item name its copy, at the copy's time.
        events = Event.objects.filter(object_type="newsroom.newsitem", object_id=str(item.pk))
        assert (
            events.count()
            == Event.objects.filter(
                object_type="newsroom.newsitem", object_id=str(original.pk)
            ).count()
        )
        assert min(e.at for e in events) >= item.activity_at

    assert Event.objects.count() == events_before + 2 * seed_events
    head = ChainHead.objects.get()
    assert head.last_seq == Event.objects.order_by("-seq").first().seq
    # The services append after the copies (on PostgreSQL: the sequences were advanced).
    with transaction.atomic():
        record_event(
            action="maintenance.pruned",
            actor=None,
            object_type="maintenance.prune",
            object_id="test",
            after={"mails": 0},
        )
    assert list(verify_chain()) == []

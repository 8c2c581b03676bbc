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
from warta.newsroom.models import NewsItem
from warta.workflow.models import Case, Deviation

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import generate


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

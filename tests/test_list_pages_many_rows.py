"""The newsroom's list pages at many rows: paginated in the database (a page holds
``PAGE_SIZE`` rows, the pager keeps the filters), the counts over every row, and the same
number of queries with one row, thirty, or a hundred and twenty (the ceilings of
``tests/test_query_ceilings.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.test_query_ceilings import PAGES
from warta.newsroom import selectors as newsroom_selectors
from warta.notify.models import Notification
from warta.workflow.models import Case, Deviation, StepRun
from warta.workflow.selectors import time_status
from warta.worktime.config import get_calendar
from warta.worktime.zone import JAKARTA

H = dt.timedelta(hours=1)


@pytest.fixture
def team(humas_sop, make_user):
    return {
        "sop": humas_sop,
        "humas": make_user("humas", "staf_humas", full_name="Sari Wulandari"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt", full_name="Rina Kartika"),
    }


def _grow(team, n: int, *, start: int = 0) -> None:
    """``n`` more open cases, each with an open step of the Staf Humas (some late, some nearly
    due, some on time, some without a time standard), a finished step with a deviation of
    hers, and a notification for her — bulk-created, as the pages only read them."""
    now = timezone.now()
    humas = team["humas"]
    cases = Case.objects.bulk_create(
        Case(
            sop=team["sop"],
            subject_type="test",
            subject_id=str(start + i),
            title=f"Berita {start + i:03d}",
            started_at=now - dt.timedelta(days=400 + i),
            started_by=humas,
        )
        for i in range(n)
    )
    runs, done = [], []
    for i, case in enumerate(cases):
        started = now - dt.timedelta(days=(i % 4) * 200, hours=i)
        standard = None if i % 5 == 4 else 2 * H
        due = get_calendar().add(started, standard) if standard else None
        if i % 3 == 1:  # a step just started: on time or nearly due
            started = now - dt.timedelta(minutes=5 + 30 * (i % 4))
            due = get_calendar().add(started, standard) if standard else None
        done.append(
            StepRun(
                case=case,
                seq=1,
                step_id="tulis",
                step_name="Menulis",
                kind="manual",
                role_id="staf_humas",
                started_at=started - 3 * H,
                finished_at=started,
                finished_by=humas,
            )
        )
        runs.append(
            StepRun(
                case=case,
                seq=2,
                step_id="sunting",
                step_name="Menyunting",
                step_number="2",
                kind="manual",
                role_id="staf_humas",
                assignee=humas if i % 2 else None,
                started_at=started,
                time_standard=standard,
                due_at=due,
            )
        )
    StepRun.objects.bulk_create(runs + done)
    Deviation.objects.bulk_create(
        Deviation(
            case=run.case,
            step_run=run,
            kind=Deviation.Kind.WAKTU if i % 2 else Deviation.Kind.OUTPUT,
            attributed_to=humas,
            created_at=now - dt.timedelta(days=i),
            explained_at=now if i % 3 == 0 else None,
            explanation="Terlambat karena rapat." if i % 3 == 0 else "",
        )
        for i, run in enumerate(done)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=humas, kind="publication_failed", title=f"Pemberitahuan {start + i}", url="/"
        )
        for i in range(n)
    )


LIST_PAGES = [
    ("newsroom:inbox", "humas", "/kerja/"),
    ("newsroom:unit", "kasubbag", "/kerja/unit/"),
    ("workflow:deviations", "kasubbag", "/kerja/penyimpangan/"),
    ("workflow:deviations", "kasubbag", "/kerja/penyimpangan/?kind=waktu&explained=no"),
    ("workflow:person", "humas", "/kerja/penyimpangan/orang/{humas}/"),
    ("notify:list", "humas", "/kerja/notifikasi/"),
]


def _queries(client, path: str) -> int:
    client.get(path)  # warm the caches and the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "who", "path"), LIST_PAGES)
def test_the_same_ceiling_with_few_and_with_many_rows(
    client, team, key, who, path, django_assert_max_num_queries
):
    path = path.format(humas=team["humas"].pk)
    client.force_login(team[who])
    _grow(team, 2)  # one row of each kind the filters below keep
    few = _queries(client, path)
    _grow(team, 30, start=2)
    with django_assert_max_num_queries(PAGES[key].queries):
        client.get(path)
    assert _queries(client, path) == few
    _grow(team, 90, start=32)  # more than one page
    with django_assert_max_num_queries(PAGES[key].queries):
        client.get(path)
    assert _queries(client, path) == few
    assert _queries(client, path + ("&" if "?" in path else "?") + "page=2") == few


# A Wednesday morning in working hours: the steps started minutes ago are green or amber.
WORKING_MORNING = dt.datetime(2026, 11, 25, 10, 0, tzinfo=JAKARTA)


@pytest.mark.django_db
@time_machine.travel(WORKING_MORNING, tick=False)
def test_the_inbox_shows_one_page_and_counts_every_open_step(client, team):
    _grow(team, 121)
    client.force_login(team["humas"])
    first = client.get("/kerja/")
    assert len(first.context["tasks"]) == newsroom_selectors.TASKS_PAGE_SIZE
    assert 'rel="next" href="?page=2"' in first.content.decode()
    last = client.get("/kerja/?page=3")
    assert len(last.context["tasks"]) == 121 - 2 * newsroom_selectors.TASKS_PAGE_SIZE
    # Most urgent first across the pages, each step once.
    seen = [
        task.run.pk
        for page in (1, 2, 3)
        for task in client.get(f"/kerja/?page={page}").context["tasks"]
    ]
    assert len(set(seen)) == 121
    # The counts are those of every open step, one by one.
    calendar, now = get_calendar(), timezone.now()
    levels = [
        time_status(run, calendar=calendar, now=now).level
        for run in StepRun.objects.filter(finished_at__isnull=True)
    ]
    counts = first.context["counts"]
    assert counts["total"] == 121
    for level in ("green", "amber", "red", "none"):
        assert counts[level] == levels.count(level), level
    assert {"green", "amber", "red", "none"} <= set(levels)


@pytest.mark.django_db
def test_the_inbox_lists_only_open_steps_of_open_cases(client, team):
    _grow(team, 3)
    StepRun.objects.filter(finished_at__isnull=True, case__subject_id="0").update(
        finished_at=timezone.now()
    )
    Case.objects.filter(subject_id="1").update(status=Case.Status.COMPLETED)
    client.force_login(team["humas"])
    response = client.get("/kerja/")
    assert [task.run.case.subject_id for task in response.context["tasks"]] == ["2"]
    assert response.context["counts"]["total"] == 1


@pytest.mark.django_db
def test_the_deviations_pager_keeps_the_filters(client, team):
    _grow(team, 120)
    client.force_login(team["kasubbag"])
    response = client.get("/kerja/penyimpangan/?kind=waktu")
    page = response.content.decode()
    assert 'href="?kind=waktu&amp;page=2"' in page
    assert response.context["page_obj"].paginator.count == 60
    second = client.get("/kerja/penyimpangan/?kind=waktu&page=2")
    assert all(d.kind == "waktu" for d in second.context["deviations"])


@pytest.mark.django_db
def test_the_deviations_date_filter_takes_whole_days_in_wib(client, team):
    _grow(team, 3)
    client.force_login(team["kasubbag"])
    deviation = Deviation.objects.order_by("pk").first()
    # 23:30 WIB on 10 March is 16:30 UTC: the 10th in Jakarta, whatever UTC says.
    Deviation.objects.filter(pk=deviation.pk).update(
        created_at=dt.datetime(2026, 3, 10, 16, 30, tzinfo=dt.UTC)
    )
    day = "/kerja/penyimpangan/?start=2026-03-10&end=2026-03-10"
    assert [d.pk for d in client.get(day).context["deviations"]] == [deviation.pk]
    after = "/kerja/penyimpangan/?start=2026-03-11&end=2026-03-11"
    assert list(client.get(after).context["deviations"]) == []


@pytest.mark.django_db
def test_the_notifications_page_is_paginated_and_counts_every_unread(client, team):
    _grow(team, 70)
    Notification.objects.filter(title="Pemberitahuan 0").update(read_at=timezone.now())
    client.force_login(team["humas"])
    response = client.get("/kerja/notifikasi/")
    assert len(response.context["notifications"]) == 50
    assert response.context["unread"] == 69
    second = client.get("/kerja/notifikasi/?page=2")
    assert len(second.context["notifications"]) == 20
    assert "Pemberitahuan 0" in second.content.decode()

"""Query plans and render times of the newsroom's list pages on a database with years of rows.

    .venv/bin/python bench/query_plans.py [--items N] [--runs R]
    WARTA_DATABASE_URL=postgres://postgres@127.0.0.1:5432/warta \
        .venv/bin/python bench/query_plans.py

Works in a throw-away test database made from the configured one (``test_<name>`` on
PostgreSQL, a temporary file on SQLite; dropped at the end), so it never touches real data.

The rows are BULK-CREATED, not made through the services: the pages only read them, and ten
years (18,000 items with seven step runs each, about one deviation per item, five notifications
per item) take seconds this way instead of minutes (``bench/generate.py`` makes realistic data
through the real services). Open work is what an office has: a few dozen items in progress,
plus a handful of steps left open for years (the worst case of the working-time status).

For each page: the EXPLAIN (QUERY PLAN) of every query the page runs on the list's tables
(deviations, step runs, notifications), then the time of rendering the page through Django's
test Client, p50 and p95 over ``--runs`` GETs (after two to warm up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup_django

TABLES = ("workflow_deviation", "workflow_steprun", "notify_notification")
SOP = Path(__file__).resolve().parent.parent / "src/warta/sop/definitions/sdm-6-ot-02-02-3002.yaml"


def _people():
    from django.contrib.auth import get_user_model

    from warta.accounts.services import grant_role

    users = {}
    for username, role, name in (
        ("humas", "staf_humas", "Sari Wulandari"),
        ("humas2", "staf_humas", "Dedi Pratama"),
        ("kasubbag", "kasubbag_umum_rt", "Rina Kartika"),
        ("kabag", "kabag_adm_umum", "Budi Santoso"),
    ):
        first, _, last = name.partition(" ")
        user = get_user_model().objects.create_user(
            username=username, password="bench-password", first_name=first, last_name=last
        )
        grant_role(user=user, role_code=role)
        users[username] = user
    return users


def fill(items: int, seed: int = 20261129) -> dict:
    """``items`` news items over ten years with their step runs, deviations and notifications."""
    from django.utils import timezone

    from warta.newsroom.models import NewsItem
    from warta.notify.models import Notification
    from warta.sop.services import load_sop
    from warta.workflow.models import Case, Deviation, StepRun
    from warta.worktime.config import get_calendar

    rng = random.Random(seed)
    version = load_sop(path_or_text=SOP)
    steps = [step for step in version.definition().steps if not step.is_end]
    people = _people()
    writers = [people["humas"], people["humas2"]]
    holder = {"staf_humas": None, "kasubbag_umum_rt": people["kasubbag"]}
    holder["kabag_adm_umum"] = people["kabag"]
    calendar, now = get_calendar(), timezone.now()
    span = dt.timedelta(days=3650)
    open_now = set(range(items - 40, items))  # the work in progress
    open_now |= set(rng.sample(range(items - 40), 8))  # and a few forgotten for years
    started = sorted(now - span * rng.random() for _ in range(items))
    t0 = time.perf_counter()
    cases = Case.objects.bulk_create(
        (
            Case(
                sop=version,
                subject_type="newsroom.newsitem",
                subject_id=f"bench-{i}",  # the item's id, once it has one (below)
                title=f"Berita {i:05d}",
                status=Case.Status.OPEN if i in open_now else Case.Status.COMPLETED,
                started_at=started[i],
                started_by=writers[i % 2],
            )
            for i in range(items)
        ),
        batch_size=2000,
    )
    news = NewsItem.objects.bulk_create(
        (
            NewsItem(
                case=case,
                title=case.title,
                activity_name="Kegiatan",
                activity_at=case.started_at,
                place="Aula",
                covered_by="Humas",
                body="<p>" + "Isi berita. " * 40 + "</p>",
                created_by=case.started_by,
                created_at=case.started_at,
                updated_at=case.started_at,
            )
            for case in cases
        ),
        batch_size=2000,
    )
    for case, item in zip(cases, news, strict=True):
        case.subject_id = str(item.pk)
    Case.objects.bulk_update(cases, ["subject_id"], batch_size=2000)
    runs: list[StepRun] = []
    for i, case in enumerate(cases):
        moment = case.started_at
        last = rng.randrange(len(steps)) if i in open_now else len(steps)
        for seq, step in enumerate(steps[: last + 1 if i in open_now else last], start=1):
            is_open = i in open_now and seq == last + 1
            due = calendar.add(moment, step.time) if step.time else None
            took = dt.timedelta(minutes=rng.choice([5, 20, 60, 180, 900, 3000]))
            finished = None if is_open else moment + took
            runs.append(
                StepRun(
                    case=case,
                    seq=seq,
                    step_id=step.id,
                    step_name=step.name,
                    step_number=step.number,
                    kind=step.kind,
                    role_id=step.actor or "",
                    assignee=case.started_by
                    if step.actor == "staf_humas"
                    else holder.get(step.actor or ""),
                    started_at=moment,
                    time_standard=step.time,
                    due_at=due,
                    finished_at=finished,
                    finished_by=None if is_open else case.started_by,
                )
            )
            if finished is not None:
                moment = finished
    StepRun.objects.bulk_create(runs, batch_size=2000)
    late = [run for run in runs if run.finished_at and run.due_at and run.finished_at > run.due_at]
    # Most deviations were explained and acknowledged long ago; a few wait for an explanation
    # or a review, a few explanations were disputed.
    explained = [rng.random() < 0.95 for _run in late]
    deviations = [
        Deviation(
            case_id=run.case_id,
            step_run=run,
            kind=Deviation.Kind.WAKTU,
            attributed_to=run.assignee or run.finished_by,
            created_at=run.finished_at,
            explained_at=run.finished_at if done else None,
            explanation="Terlambat karena rapat pimpinan." if done else "",
            review=rng.choices(
                list(Deviation.Review.values), weights=(10, 87, 3) if done else (1, 0, 0)
            )[0],
        )
        for run, done in zip(late, explained, strict=True)
    ]
    Deviation.objects.bulk_create(deviations, batch_size=2000)
    notifications = [
        Notification(
            recipient=people[name],
            kind="publication_failed",
            title=f"Pemberitahuan {i}",
            body="Langkah menunggu Anda.",
            url="/kerja/",
            read_at=now if rng.random() < 0.95 else None,
        )
        for i in range(items * 5)
        for name in (rng.choice(("humas", "humas2", "kasubbag", "kabag")),)
    ]
    Notification.objects.bulk_create(notifications, batch_size=2000)
    # created_at is auto_now_add: spread the notifications over the ten years.
    for notification in rng.sample(notifications, min(len(notifications), 2000)):
        notification.created_at = now - span * rng.random()
    Notification.objects.bulk_update(
        [n for n in notifications if n.created_at], ["created_at"], batch_size=2000
    )
    print(
        f"filled in {time.perf_counter() - t0:.1f} s: {items:,} items, {len(runs):,} step runs, "
        f"{len(deviations):,} deviations, {len(notifications):,} notifications, "
        f"{len(open_now)} open"
    )
    open_item = NewsItem.objects.filter(case__status=Case.Status.OPEN).order_by("pk").first()
    return {"people": people, "item": open_item}


# --- adapter: vendor-specific SQL (SQLite and PostgreSQL) --------------------------------------


def explain(sql: str) -> str:
    """The plan of one captured query: ``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN`` on
    PostgreSQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return "\n".join(f"      {row[-1]}" for row in cursor.fetchall())
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(f"      {row[0]}" for row in cursor.fetchall())


def analyze() -> None:
    """Statistics for the planner, as a running database has them (on PostgreSQL also the
    visibility map that autovacuum keeps, which index-only scans need)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")


# --- pages -------------------------------------------------------------------------------------


def pages(world: dict) -> list[tuple[str, str, str]]:
    humas = world["people"]["humas"]
    rows = [
        ("inbox", "humas", "/kerja/"),
        ("unit overview", "kasubbag", "/kerja/unit/"),
        ("deviations list", "kasubbag", "/kerja/penyimpangan/"),
        ("deviations, filtered", "kasubbag", "/kerja/penyimpangan/?kind=waktu&explained=no"),
        ("deviations, page 40", "kasubbag", "/kerja/penyimpangan/?page=40"),
        ("per-person page", "kasubbag", f"/kerja/penyimpangan/orang/{humas.pk}/"),
        ("notifications", "humas", "/kerja/notifikasi/"),
    ]
    if world["item"] is not None:
        rows.append(("item page", "humas", f"/kerja/berita/{world['item'].pk}/"))
    return rows


def measure(world: dict, runs: int) -> list[tuple]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    results = []
    clients: dict[str, Client] = {}
    for name, who, path in pages(world):
        if who not in clients:
            clients[who] = Client()
            clients[who].force_login(world["people"][who])
        client = clients[who]
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        count = len(captured.captured_queries)
        sql_ms = sum(float(query["time"]) for query in captured.captured_queries) * 1000
        print(f"\n== {name}: GET {path} ({count} queries, {len(response.content):,} bytes)")
        for query in captured.captured_queries:
            sql = query["sql"]
            if not any(f'"{table}"' in sql for table in TABLES):
                continue
            print(f"   {sql[:220]}{' …' if len(sql) > 220 else ''}")
            print(explain(sql))
        times, cpu = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        results.append(
            (
                name,
                statistics.median(times),
                p95,
                statistics.median(cpu),
                count,
                sql_ms,
                len(response.content),
            )
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=18_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    # Pages render without a collectstatic manifest (as in the tests). Not Django's test
    # environment: its instrumented template rendering would be timed too.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            STORAGES={**settings.STORAGES, "staticfiles": plain_static},
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
        ):
            world = fill(args.items)
            analyze()
            results = measure(world, args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"\nRender times on {connection.vendor}, {args.items:,} items, {args.runs} runs each")
    print(
        "(cpu ms: this process's CPU time per page, p50 — on SQLite the queries included, on "
        "PostgreSQL not; less moved by other load on the machine than the wall-clock times. "
        "sql ms: the time of the page's queries in one run.)"
    )
    print(
        f"{'page':24} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8} {'sql ms':>8} "
        f"{'bytes':>9}"
    )
    for name, p50, p95, cpu_ms, queries, sql_ms, size in results:
        print(f"{name:24} {p50:8.1f} {p95:8.1f} {cpu_ms:8.1f} {queries:8} {sql_ms:8.1f} {size:9,}")


if __name__ == "__main__":
    main()

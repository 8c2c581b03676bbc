"""Step transitions through the real services (issue 12, point 4): milliseconds and queries.

    .venv/bin/python bench/transition_bench.py

Drives WARTA_BENCH_ITEMS (default 50) news items through the whole shipped SOP, as the pages do
(``newsroom.services.create_item`` / ``submit`` / ``decide``, ``publishing.services.publish``),
on a fresh SQLite database (WAL, in a temporary data dir) and — when reachable — a fresh
PostgreSQL database (WARTA_BENCH_POSTGRES_URL, default
``postgres://postgres@127.0.0.1:5432/warta_bench_transitions``; it is dropped and created).
WARTA_BENCH_DATABASES=sqlite (or postgres) runs only one of them.

Prints, per transition kind, p50/p95 wall milliseconds and the SQL queries it ran; the whole SOP
per item (creation excluded: it stores the uploaded photo, which is media work, not a
transition); and a cProfile top 25 (cumulative) of one item. Each database runs in a child
process of its own (Django is configured once per process). Goals: p95 of every transition under
50 ms, the SOP for one item under 300 ms.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

from _common import run_per_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/warta_bench_transitions"
SHIPPED_SOP = ROOT / "src/warta/sop/definitions/sdm-6-ot-02-02-3002.yaml"


# --- set-up (in the child process) -----------------------------------------------------------


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    import django

    django.setup()
    from django.conf import settings

    from warta.config import datadir

    datadir.prepare(settings.DATA_DIR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    # As deployed (DEBUG off): the pages publishing renders need the static manifest.
    call_command("collectstatic", verbosity=0, interactive=False)


def make_people() -> dict[str, object]:
    from django.contrib.auth import get_user_model

    from warta.accounts.services import grant_role
    from warta.sop.services import load_sop

    load_sop(path_or_text=SHIPPED_SOP)
    people = {}
    for username, role, name in (
        ("humas", "staf_humas", "Sari Wulandari"),
        ("kasubbag", "kasubbag_umum_rt", "Rina Kartika"),
        ("kabag", "kabag_adm_umum", "Agus Prasetyo"),
    ):
        first, _, last = name.partition(" ")
        user = get_user_model().objects.create_user(
            username=username,
            password="bench-password-x",
            email=f"{username}@example.go.id",
            first_name=first,
            last_name=last,
        )
        grant_role(user=user, role_code=role)
        people[username] = user
    return people


def jpeg(number: int):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, number % 255, 160)).save(buffer, "JPEG")
    return SimpleUploadedFile(f"foto{number}.jpg", buffer.getvalue(), content_type="image/jpeg")


class Meter:
    """Wall and CPU milliseconds and query counts per transition kind. CPU time is this
    process's (on SQLite that includes the database's work; on PostgreSQL it does not): on a
    busy machine it moves much less than the wall clock."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.queries: dict[str, list[int]] = {}

    def run(self, kind: str, call, *args, **kwargs):
        from django.db import connection

        statements: list[str] = []

        def count(execute, sql, params, many, context):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started, cpu = time.perf_counter(), time.process_time()
            result = call(*args, **kwargs)
            elapsed = (time.perf_counter() - started) * 1000
            cpu = (time.process_time() - cpu) * 1000
        self.ms.setdefault(kind, []).append(elapsed)
        self.cpu.setdefault(kind, []).append(cpu)
        self.queries.setdefault(kind, []).append(len(statements))
        if kind in os.environ.get("WARTA_BENCH_SHOW_SQL", "").split(","):
            print(f"-- SQL of {kind}:")
            for sql in statements:
                print("  ", sql[:300])
        return result


def drive_item(number: int, people: dict, meter: Meter) -> None:
    """One item through the whole SOP, the way the pages call the services: create (step 1
    opens), submit the note, submit the draft, approve, permit (the relay step runs on its own),
    order the upload, publish on the website."""
    import datetime as dt

    from django.utils import timezone

    from warta.demo.news import approving_branch, is_publish_step
    from warta.newsroom import services
    from warta.publishing import services as publishing
    from warta.workflow.models import StepRun

    humas = people["humas"]
    item = meter.run(
        "create_item",
        services.create_item,
        user=humas,
        title=f"Kegiatan nomor {number}",
        activity_name="Kuliah umum",
        activity_at=timezone.now() - dt.timedelta(hours=3),
        place="Aula Politeknik Imigrasi",
        covered_by="Sari Wulandari",
        body="<p>Politeknik Imigrasi menggelar kuliah umum.</p>",
        photos=[jpeg(number)],
    )
    services.save_draft(
        item_id=item.pk,
        user=humas,
        base_version=item.edit_version,
        content={},
        alt_texts={photo.asset_id: "Foto kuliah umum di aula" for photo in item.photos.all()},
    )
    definition = item.case.sop.definition()
    roles = {"staf_humas": humas, "kasubbag_umum_rt": people["kasubbag"]}
    roles["kabag_adm_umum"] = people["kabag"]
    for _ in range(len(definition.steps) * 2):
        run = StepRun.objects.filter(case_id=item.case_id, finished_at__isnull=True).first()
        if run is None:
            return
        step = definition.step(run.step_id)
        actor = roles[run.role_id]
        label = f"{step.kind} {step.id}"
        if step.kind == "decision":
            branch = approving_branch(definition, step)
            meter.run(
                label,
                services.decide,
                item_id=item.pk,
                step_run_id=run.pk,
                user=actor,
                branch=branch.id,
            )
        elif is_publish_step(step):
            meter.run(label, publishing.publish, item_id=item.pk, step_run_id=run.pk, user=actor)
        else:
            meter.run(
                label, services.submit, item_id=item.pk, step_run_id=run.pk, user=actor, note="ok"
            )
    raise AssertionError("the SOP did not end")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def child(database: str) -> None:
    setup_django()
    from django.db import connection

    people = make_people()
    items = int(os.environ.get("WARTA_BENCH_ITEMS", "50"))
    meter = Meter()
    drive_item(0, people, Meter())  # warm-up: imports, template loading, first parse
    per_item: list[float] = []
    per_item_cpu: list[float] = []
    for number in range(1, items + 1):
        before = {kind: len(values) for kind, values in meter.ms.items()}
        drive_item(number, people, meter)
        for totals, measured in ((per_item, meter.ms), (per_item_cpu, meter.cpu)):
            totals.append(
                sum(
                    sum(values[before.get(kind, 0) :])
                    for kind, values in measured.items()
                    if kind != "create_item"
                )
            )
    print(f"\n== {database} ({connection.vendor}), {items} items")
    print(
        f"{'transition':32} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
        f"{'cpu p50':>8} {'cpu p95':>8} {'queries':>8}"
    )
    kinds = sorted(meter.ms, key=lambda kind: kind != "create_item")
    for kind in kinds:
        values = meter.ms[kind]
        queries = meter.queries[kind]
        span = (
            f"{min(queries)}" if min(queries) == max(queries) else f"{min(queries)}-{max(queries)}"
        )
        cpu = meter.cpu[kind]
        print(
            f"{kind:32} {len(values):4} {statistics.median(values):8.1f} "
            f"{percentile(values, 0.95):8.1f} {max(values):8.1f} "
            f"{statistics.median(cpu):8.1f} {percentile(cpu, 0.95):8.1f} {span:>8}"
        )
    transitions = [v for kind, values in meter.ms.items() if kind != "create_item" for v in values]
    cpu = [v for kind, values in meter.cpu.items() if kind != "create_item" for v in values]
    print(
        f"{'any transition (create excluded)':32} {len(transitions):4} "
        f"{statistics.median(transitions):8.1f} {percentile(transitions, 0.95):8.1f} "
        f"{max(transitions):8.1f} {statistics.median(cpu):8.1f} {percentile(cpu, 0.95):8.1f}"
    )
    total_queries = sum(
        sum(values) for kind, values in meter.queries.items() if kind != "create_item"
    ) / max(1, items)
    print(
        f"whole SOP per item (create excluded): p50 {statistics.median(per_item):.1f} ms, "
        f"p95 {percentile(per_item, 0.95):.1f} ms (CPU p50 {statistics.median(per_item_cpu):.1f} "
        f"ms, p95 {percentile(per_item_cpu, 0.95):.1f} ms), {total_queries:.0f} queries"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    drive_item(items + 1, people, Meter())
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(f"\n-- cProfile of one item on {database} (create included), top 25 cumulative")
    print("\n".join(out.getvalue().splitlines()[:60]))


# --- the parent: one child per database ------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    run_per_database(__file__, DEFAULT_PG)


if __name__ == "__main__":
    main()

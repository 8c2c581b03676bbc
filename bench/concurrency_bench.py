"""Twenty people acting at once on different items (issue 12, point 4): throughput, p95, errors.

    .venv/bin/python bench/concurrency_bench.py

WARTA_BENCH_USERS (default 20) people — threads of one process on SQLite (as ``warta serve``
runs there: one waitress process, a thread per request, whose writers queue for SQLite's write
lock in turn, see ``warta.config.sqlite``), processes on PostgreSQL (forked after set-up, as a
web server's workers are); WARTA_BENCH_MODE=threads|processes overrides. Each plays one item
unmeasured first, then all start together, each with its own database connection and its own
Staf Humas, drive news items through the whole shipped SOP with the real services, as the pages
call them (``newsroom.services.create_item`` / ``submit`` / ``decide``,
``publishing.services.publish``; the Kasubbag and Kabag steps are acted on by the step's
assignee or one of two holders of the role), for WARTA_BENCH_SECONDS (default 30; the issue's
goal is 300). On a fresh SQLite database (WAL) and — when reachable — a fresh PostgreSQL
database (WARTA_BENCH_POSTGRES_URL, as in ``transition_bench.py``); WARTA_BENCH_DATABASES picks.

Prints transitions per second, p50/p95 milliseconds of a transition (wall clock, including any
wait for a lock), errors by kind and how many of them were "database is locked" (goal: zero),
and the time spent waiting for the audit chain head's lock (``SELECT … FOR UPDATE`` of the one
``audit_chainhead`` row; on SQLite writers already queue at ``BEGIN IMMEDIATE``, so this wait is
about nil there and the wait for the database's write lock is part of the transition time).
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import queue
import statistics
import sys
import threading
import time
from collections import Counter
from typing import Any

from _common import run_per_database
from transition_bench import DEFAULT_PG, jpeg, percentile, setup_django

USERS = int(os.environ.get("WARTA_BENCH_USERS", "20"))
_current = threading.local()  # the transition under way in this thread
SECONDS = float(os.environ.get("WARTA_BENCH_SECONDS", "30"))
MODE = "processes"


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: list[float] = []
        self.errors: Counter[str] = Counter()
        self.locked = 0
        self.items = 0
        self.head_waits: list[float] = []
        # Per transition kind: ms from taking the chain head to the commit that releases it.
        self.head_holds: dict[str, list[float]] = {}

    def transition(self, elapsed_ms: float) -> None:
        with self.lock:
            self.ms.append(elapsed_ms)

    def error(self, error: BaseException) -> None:
        with self.lock:
            self.errors[type(error).__name__] += 1
            if "database is locked" in str(error):
                self.locked += 1

    def merge(self, other: dict) -> None:
        self.ms += other["ms"]
        self.errors.update(other["errors"])
        self.locked += other["locked"]
        self.items += other["items"]
        self.head_waits += other["head_waits"]
        for kind, holds in other["head_holds"].items():
            self.head_holds.setdefault(kind, []).extend(holds)

    def as_dict(self) -> dict:
        return {
            "ms": self.ms,
            "errors": dict(self.errors),
            "locked": self.locked,
            "items": self.items,
            "head_waits": self.head_waits,
            "head_holds": self.head_holds,
        }


def instrument_chain_head(stats: Stats) -> bool:
    """Time every wait for the chain head's lock (the bench's own wrapper, nothing stored).
    False when this version of Warta has no separate locking step to time."""
    from warta.audit import services

    take = getattr(services, "_lock_chain_head", None)
    if take is None:
        return False

    def timed():
        from django.db import transaction

        started = time.perf_counter()
        head = take()
        taken = time.perf_counter()
        kind = getattr(_current, "kind", "")
        with stats.lock:
            stats.head_waits.append((taken - started) * 1000)

        def released() -> None:
            with stats.lock:
                stats.head_holds.setdefault(kind, []).append((time.perf_counter() - taken) * 1000)

        transaction.on_commit(released)
        return head

    services._lock_chain_head = timed
    return True


def make_people() -> dict[str, list]:
    from django.contrib.auth import get_user_model
    from transition_bench import SHIPPED_SOP

    from warta.accounts.services import grant_role
    from warta.sop.services import load_sop

    load_sop(path_or_text=SHIPPED_SOP)
    people: dict[str, list] = {"staf_humas": [], "kasubbag_umum_rt": [], "kabag_adm_umum": []}
    plan = [("humas", "staf_humas", USERS), ("kasubbag", "kasubbag_umum_rt", 2)]
    plan.append(("kabag", "kabag_adm_umum", 2))
    for prefix, role, count in plan:
        for number in range(count):
            user = get_user_model().objects.create_user(
                username=f"{prefix}{number}",
                password="bench-password-x",
                email=f"{prefix}{number}@example.go.id",
                first_name=prefix.title(),
                last_name=str(number),
            )
            grant_role(user=user, role_code=role)
            people[role].append(user)
    return people


def act(kind: str, call, stats: Stats, **kwargs):
    _current.kind = kind
    started = time.perf_counter()
    result = call(**kwargs)
    stats.transition((time.perf_counter() - started) * 1000)
    return result


def one_item(number: int, author, people: dict[str, list], stats: Stats) -> None:
    from django.utils import timezone

    from warta.demo.news import approving_branch, is_publish_step
    from warta.newsroom import services
    from warta.publishing import services as publishing
    from warta.workflow.models import StepRun

    item = act(
        "create",
        services.create_item,
        stats,
        user=author,
        title=f"Kegiatan {author.username} nomor {number}",
        activity_name="Kuliah umum",
        activity_at=timezone.now() - dt.timedelta(hours=3),
        place="Aula Politeknik Imigrasi",
        covered_by=author.get_full_name(),
        body="<p>Politeknik Imigrasi menggelar kuliah umum.</p>",
        photos=[jpeg(number)],
    )
    services.save_draft(
        item_id=item.pk,
        user=author,
        base_version=item.edit_version,
        content={},
        alt_texts={photo.asset_id: "Foto kuliah umum di aula" for photo in item.photos.all()},
    )
    definition = item.case.sop.definition()
    for _ in range(len(definition.steps) * 2):
        run = (
            StepRun.objects.filter(case_id=item.case_id, finished_at__isnull=True)
            .select_related("assignee")
            .first()
        )
        if run is None:
            break
        step = definition.step(run.step_id)
        holders = people[run.role_id]
        actor = run.assignee or (author if author in holders else holders[number % len(holders)])
        common = {"item_id": item.pk, "step_run_id": run.pk, "user": actor}
        if step.kind == "decision":
            branch = approving_branch(definition, step).id
            act(step.id, services.decide, stats, branch=branch, **common)
        elif is_publish_step(step):
            act(step.id, publishing.publish, stats, **common)
        else:
            act(step.id, services.submit, stats, note="ok", **common)
    with stats.lock:
        stats.items += 1


def worker(index: int, people: dict[str, list], start, results, instrument: bool) -> None:
    """One person (a thread or a process): a warm-up item, then items one after another."""
    from django.db import connection

    stats = Stats()
    author = people["staf_humas"][index]
    number = index * 100_000
    try:
        try:  # imports, templates, libvips in this process
            one_item(number, author, people, Stats())
        except Exception as error:  # a failed warm-up counts like any other failure
            stats.error(error)
        if instrument:
            instrument_chain_head(stats)
        start.wait(timeout=900)
        deadline = time.time() + SECONDS
        while time.time() < deadline:
            number += 1
            try:
                one_item(number, author, people, stats)
            except Exception as error:  # counted and shown; the next item starts afresh
                stats.error(error)
    finally:
        connection.close()
        results.put(stats.as_dict())


def child(database: str) -> None:
    global MODE
    default = "threads" if database == "sqlite" else "processes"
    MODE = os.environ.get("WARTA_BENCH_MODE") or default
    setup_django()
    from django.db import connection

    people = make_people()
    # No item is played before a fork: libvips' threads do not survive one.
    from warta.audit import services

    timed_head = hasattr(services, "_lock_chain_head")
    connection.close()  # each process or thread opens its own
    stats = Stats()
    if MODE == "threads":
        # As ``warta serve`` runs on SQLite: one waitress process, a thread per request.
        shared = Stats()
        instrument_chain_head(shared)
        results: Any = queue.Queue()
        start: Any = threading.Barrier(USERS + 1)
        runners: list[Any] = [
            threading.Thread(target=worker, args=(index, people, start, results, False))
            for index in range(USERS)
        ]
    else:
        context = multiprocessing.get_context("fork")
        results, start = context.Queue(), context.Barrier(USERS + 1)
        runners = [
            context.Process(target=worker, args=(index, people, start, results, True))
            for index in range(USERS)
        ]
    for runner in runners:
        runner.start()
    start.wait(timeout=900)
    started = time.time()
    for _runner in runners:
        stats.merge(results.get())
    for runner in runners:
        runner.join()
    elapsed = time.time() - started
    if MODE == "threads":
        stats.merge(shared.as_dict())
    ms = stats.ms or [0.0]
    waits = stats.head_waits or [0.0]
    print(f"\n== {database}: {USERS} users ({MODE}) for {elapsed:.0f} s")
    print(f"items through the whole SOP: {stats.items}")
    print(f"transitions (create included): {len(stats.ms)}, {len(stats.ms) / elapsed:.1f}/s")
    print(
        f"transition ms: p50 {statistics.median(ms):.1f}, p95 {percentile(ms, 0.95):.1f}, "
        f"max {max(ms):.1f}"
    )
    print(f"errors: {sum(stats.errors.values())} {dict(stats.errors)}")
    print(f'"database is locked": {stats.locked}')
    if not timed_head:
        print("chain head lock waits: not measurable in this version")
        return
    print(
        f"chain head lock waits: {len(stats.head_waits)}, p50 {statistics.median(waits):.2f} ms, "
        f"p95 {percentile(waits, 0.95):.2f} ms, max {max(waits):.2f} ms, "
        f"total {sum(waits) / 1000:.2f} s = {sum(waits) / max(1.0, sum(ms)) * 100:.1f} % of "
        "the transitions' time"
    )
    print("chain head held (taken → commit), ms, by transition:")
    for kind, holds in sorted(stats.head_holds.items()):
        print(
            f"  {kind:20} n {len(holds):5}  p50 {statistics.median(holds):7.2f}  "
            f"p95 {percentile(holds, 0.95):7.2f}"
        )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    run_per_database(__file__, DEFAULT_PG, cwd_in_data_dir=True)


if __name__ == "__main__":
    main()

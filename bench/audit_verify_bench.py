"""`warta audit verify` over a long chain, side by side with `sha256sum` over the same bytes
(issue 12, point 5).

    .venv/bin/python bench/audit_verify_bench.py

Makes WARTA_BENCH_EVENTS (default 1,000,000) events with a valid chain on a fresh SQLite
database (WAL, in a temporary data dir) and — when reachable — a fresh PostgreSQL database
(WARTA_BENCH_POSTGRES_URL, default ``postgres://postgres@127.0.0.1:5432/warta_bench_audit``; it
is dropped and created). WARTA_BENCH_DATABASES=sqlite (or postgres) runs only one of them.

The events are inserted in bulk (``executemany``), their hashes computed with the real hashing
code (``warta.audit.hashing.event_hash``) over a mix of shapes like the product's (step
transitions, draft saves that reference a revision, mails sent). Then the run times
``verify_chain()`` (which must find nothing), writes the canonical bytes of every event — the
bytes each hash is the SHA-256 of — to a file and times ``sha256sum`` on that file. Prints both
(wall seconds, MB/s, and CPU seconds: on a busy machine the wall times say little) and the
ratios. Goals: verify of 1,000,000 events under 10 s and at
least half of sha256sum's speed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import run_per_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/warta_bench_audit"
INSERT_BATCH = 5000


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from warta.config import datadir

    datadir.prepare(settings.DATA_DIR)
    call_command("migrate", verbosity=0, interactive=False)


def _shape(n: int, at: dt.datetime) -> dict:
    """One event's fields, in a mix of the product's shapes."""
    item = n // 20 + 1
    kind = n % 4
    if kind == 0:
        return {
            "action": "workflow.step_finished",
            "object_type": "workflow.case",
            "object_id": str(item),
            "before": {"status": "open", "step": "periksa_draf", "run": n},
            "after": {
                "status": "finished",
                "step": "periksa_draf",
                "run": n,
                "outcome": "setuju",
                "finished_at": at.isoformat(),
                "late": False,
            },
            "note": "Sudah sesuai, lanjut ke Kabag untuk izin unggah.",
        }
    if kind == 1:
        text = {"revision": n, "sha256": f"{n:064x}", "length": 3200 + n % 900}
        state = {
            "title": f"Bupati meresmikan gedung layanan terpadu ke-{item}",
            "activity_name": "Peresmian Mal Pelayanan Publik",
            "activity_at": at.isoformat(),
            "place": "Aula Kantor Bupati",
            "covered_by": "Sari Wulandari",
            "channels": ["website", "instagram"],
            "cover": item,
            "edit_version": n % 9,
            "body": text,
            "notes": {"sha256": f"{n + 1:064x}", "length": 410},
            "media": {str(item): {"file": "IMG_2041.jpg", "caption": "", "alt_text": ""}},
        }
        return {
            "action": "newsroom.draft_saved",
            "object_type": "newsroom.newsitem",
            "object_id": str(item),
            "before": {**state, "edit_version": state["edit_version"] - 1},
            "after": state,
            "note": "",
        }
    if kind == 2:
        return {
            "action": "notify.mail_sent",
            "object_type": "notify.outgoingmail",
            "object_id": str(n),
            "before": None,
            "after": {
                "to": "kasubbag@example.go.id",
                "recipient": 3,
                "kind": "task",
                "subject": f"[Warta] Tugas baru: Periksa draf berita #{item}",
                "sent_at": at.isoformat(),
            },
            "note": "",
        }
    return {
        "action": "workflow.step_started",
        "object_type": "workflow.case",
        "object_id": str(item),
        "before": None,
        "after": {"step": "izin_unggah", "due_at": at.isoformat(), "assignee": 4},
        "note": "",
    }


def make_chain(total: int) -> None:
    """``total`` events with a valid chain, inserted in bulk."""
    from django.db import connection, transaction

    from warta.audit.hashing import GENESIS_HASH, canonical_json, event_hash
    from warta.audit.models import ChainHead, Event

    table = connection.ops.quote_name(Event._meta.db_table)
    names = [
        "seq",
        "at",
        "actor_id",
        "actor_name",
        "acting_for",
        "action",
        "object_type",
        "object_id",
        "before",
        "after",
        "note",
        "ip",
        "prev_hash",
        "hash",
    ]
    columns = ", ".join(connection.ops.quote_name(name) for name in names)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    start = dt.datetime(2016, 1, 4, 1, 0, tzinfo=dt.UTC)
    prev = GENESIS_HASH
    seq = 0
    while seq < total:
        rows = []
        for _ in range(min(INSERT_BATCH, total - seq)):
            seq += 1
            at = start + dt.timedelta(seconds=seq * 317, microseconds=(seq * 7919) % 1_000_000)
            fields = {
                "seq": seq,
                "at": at,
                "actor_id": None,
                "actor_name": ("Sari Wulandari", "Rina Kartika", "sistem")[seq % 3],
                "acting_for": "Plh. Kabag Administrasi Umum" if seq % 50 == 0 else "",
                "ip": "10.20.30.40" if seq % 3 != 2 else "",
                **_shape(seq, at),
            }
            fields["before"] = canonical_json(fields["before"])
            fields["after"] = canonical_json(fields["after"])
            digest = event_hash(prev_hash=prev, **fields)
            rows.append(
                (
                    seq,
                    connection.ops.adapt_datetimefield_value(at),
                    None,
                    fields["actor_name"],
                    fields["acting_for"],
                    fields["action"],
                    fields["object_type"],
                    fields["object_id"],
                    # As record_event stores them: through canonical_json, then Django's
                    # JSONField (json.dumps).
                    None if fields["before"] is None else json.dumps(fields["before"]),
                    None if fields["after"] is None else json.dumps(fields["after"]),
                    fields["note"],
                    fields["ip"],
                    prev,
                    digest,
                )
            )
            prev = digest
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
    ChainHead.objects.update_or_create(pk=1, defaults={"last_seq": total, "last_hash": prev})


def child(database: str) -> None:
    setup_django()
    from django.db import connection

    from warta.audit.verify import at_text_function, raw_rows, row_bytes, verify_chain

    total = int(os.environ.get("WARTA_BENCH_EVENTS", "1000000"))
    began = time.perf_counter()
    make_chain(total)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audit_event")  # adapter: PostgreSQL only
    print(f"\n== {database}: {total:,} events made in {time.perf_counter() - began:.1f} s")

    began, cpu = time.perf_counter(), time.process_time()
    problems = list(verify_chain())
    verify_seconds = time.perf_counter() - began
    verify_cpu = time.process_time() - cpu
    if problems:
        raise SystemExit(f"the chain does not verify: {problems[:3]}")
    # What `warta audit verify` does by default: parts of the chain in a process per CPU.
    workers = os.cpu_count() or 1
    began = time.perf_counter()
    if list(verify_chain(workers=workers)):
        raise SystemExit("the chain does not verify in parts")
    parts_seconds = time.perf_counter() - began

    with tempfile.TemporaryDirectory(prefix="warta-bench-bytes-") as folder:
        path = Path(folder) / "canonical.bin"
        at_text = at_text_function()
        with path.open("wb") as out:
            for row in raw_rows():
                out.write(row_bytes(row, at_text))
        size = path.stat().st_size
        subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)  # warm cache
        began, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(["sha256sum", str(path)], check=True, capture_output=True)
        sha_seconds = time.perf_counter() - began
        sha_cpu = _children_cpu() - cpu

    mb = size / 1e6
    print(f"canonical bytes: {mb:,.1f} MB ({size / total:,.0f} B per event)")
    print("                      wall s     MB/s   CPU s (this process / the child)")
    print(f"warta audit verify: {verify_seconds:7.2f} {mb / verify_seconds:8.1f} {verify_cpu:7.2f}")
    print(f"verify, {workers} processes: {parts_seconds:7.2f} {mb / parts_seconds:8.1f}")
    print(f"sha256sum         : {sha_seconds:7.2f} {mb / sha_seconds:8.1f} {sha_cpu:7.2f}")
    print(
        f"verify speed / sha256sum speed: one process {sha_seconds / verify_seconds:.1%} wall, "
        f"{sha_cpu / verify_cpu:.1%} CPU; {workers} processes {sha_seconds / parts_seconds:.1%} "
        "wall (goal: at least 50 %)"
    )
    per_million = verify_seconds * 1_000_000 / total
    print(
        f"verify per 1,000,000 events: one process {per_million:.1f} s wall, "
        f"{verify_cpu * 1_000_000 / total:.1f} s CPU; {workers} processes "
        f"{parts_seconds * 1_000_000 / total:.1f} s wall (goal: under 10 s)"
    )
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print(
            f"note: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs — wall "
            "times are inflated; the CPU seconds show the work itself"
        )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- the parent: one child per database ------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
        return
    run_per_database(__file__, DEFAULT_PG)


if __name__ == "__main__":
    main()

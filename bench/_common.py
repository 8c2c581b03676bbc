"""Shared helpers of the bench scripts: Django set-up, the database's size, formatting.

The size queries are vendor-specific SQL and live in the one marked adapter below
(``database_size`` / ``biggest_tables``); nothing else in bench/ speaks a dialect.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
WARTA = str(Path(sys.executable).with_name("warta"))


def short_run() -> bool:
    """``WARTA_BENCH_SHORT=1`` (``make bench``): a few minutes instead of the full run."""
    return os.environ.get("WARTA_BENCH_SHORT", "").lower() in ("1", "true", "yes")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    import django

    django.setup()


def human_bytes(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(size) < 1024 or unit == "GB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"  # pragma: no cover


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


# --- adapter: vendor-specific SQL (SQLite and PostgreSQL) --------------------------------------


def prepare_database_url(*, fresh: bool) -> None:
    """Make the database of ``WARTA_DATABASE_URL`` exist (PostgreSQL: created through the
    ``postgres`` maintenance database); ``fresh`` drops it first (SQLite: removes the file)."""
    import dj_database_url

    url = os.environ.get("WARTA_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        if fresh:
            data_dir = Path(os.environ.get("WARTA_DATA_DIR", "var"))
            name = Path(url.split("sqlite:///", 1)[1]) if url else data_dir / "warta.sqlite3"
            for path in (
                name,
                name.with_name(name.name + "-wal"),
                name.with_name(name.name + "-shm"),
            ):
                path.unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = config["NAME"]
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_size() -> int:
    """Bytes the database takes: the SQLite file with its WAL, or ``pg_database_size``."""
    from django.db import connection

    if connection.vendor == "sqlite":
        if not connection.in_atomic_block:  # fold the WAL into the file first
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        name = Path(connection.settings_dict["NAME"])
        return sum(
            path.stat().st_size
            for path in (name, name.with_name(name.name + "-wal"))
            if path.exists()
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def biggest_tables(limit: int = 12) -> list[tuple[str, int, int]]:
    """(table, bytes with its indexes, rows) of the largest tables, largest first.

    SQLite: the ``dbstat`` virtual table (pages of each table and of its indexes) when the
    library has it; otherwise the bytes column is -1 and the tables are ordered by rows.
    """
    from django.db import connection

    tables = connection.introspection.table_names()
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            rows[table] = int(cursor.fetchone()[0])
        sizes: dict[str, int] = {}
        if connection.vendor == "sqlite":
            try:
                cursor.execute(
                    "SELECT COALESCE(m.tbl_name, s.name), SUM(s.pgsize) FROM dbstat AS s "
                    "LEFT JOIN sqlite_master AS m ON m.name = s.name GROUP BY 1"
                )
                sizes = {name: int(size) for name, size in cursor.fetchall()}
            except Exception:
                sizes = {}
        else:
            cursor.execute(
                "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = current_schema()"
            )
            sizes = {name: int(size) for name, size in cursor.fetchall()}
    found = [(table, sizes.get(table, -1), rows[table]) for table in tables]
    found.sort(key=lambda entry: (entry[1], entry[2]), reverse=True)
    return found[:limit]


def postgres_ready(url: str) -> bool:
    """Drop and create the bench database at ``url``; False when PostgreSQL does not answer."""
    try:
        import psycopg
    except ImportError:
        return False
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        print(f"PostgreSQL not reachable at {url}: {error}")
        return False
    return True


def run_per_database(script: str, default_pg: str, *, cwd_in_data_dir: bool = False) -> None:
    """Run ``script --child <database>`` once per database of ``WARTA_BENCH_DATABASES``
    (default ``sqlite,postgres``), each in a fresh data directory; PostgreSQL at
    ``WARTA_BENCH_POSTGRES_URL`` (default ``default_pg``, dropped and created), skipped when it
    does not answer."""
    import subprocess
    import tempfile

    wanted = os.environ.get("WARTA_BENCH_DATABASES", "sqlite,postgres").split(",")
    for database in wanted:
        with tempfile.TemporaryDirectory(prefix="warta-bench-") as folder:
            env = {**os.environ, "WARTA_DATA_DIR": folder, "WARTA_DEBUG": "0"}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            if database == "sqlite":
                env["WARTA_DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            else:
                url = os.environ.get("WARTA_BENCH_POSTGRES_URL", default_pg)
                if not postgres_ready(url):
                    continue
                env["WARTA_DATABASE_URL"] = url
            subprocess.run(
                [sys.executable, script, "--child", database],
                env=env,
                check=True,
                cwd=folder if cwd_in_data_dir else ROOT,
            )

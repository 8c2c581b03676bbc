"""Checking the audit chain: finds edited, deleted, inserted or reordered events.

The check streams the raw column values of the events in ``seq`` order (a server-side cursor on
PostgreSQL, a plain cursor on SQLite, both read in chunks) and hashes them without building model
instances: each row becomes the canonical bytes of ``warta.audit.hashing`` — the very bytes the
event's hash was computed from when it was written (``tests/audit/test_verify_stream.py`` proves
the equality against the model path over random events) — and their SHA-256 must match the
stored hash, and the stored previous hash must be the previous event's hash. On SQLite a quick
path skips decoding the JSON columns when their stored text allows it (see "the quick path"
below); it never changes a verdict.

Each event's hash covers its own stored previous hash, so every event can be checked apart from
the others and only the links at the edges of a range need its neighbour: with ``workers`` > 1
the ``seq`` range is cut into as many parts, each checked by a process of its own
(``verify_worker``) with its own database connection, and the parts' edges are linked here.
The problems found, and their order, are the same as one process would find.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import json.scanner
import multiprocessing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Max, Min
from django.utils.dateparse import parse_datetime

from warta.audit.hashing import CANONICAL_ENCODER, GENESIS_HASH, format_at
from warta.audit.models import ChainHead, Event

BATCH_SIZE = 5000
# Below this many events a process of its own costs more than it saves: starting one (Python
# and Django, ~1.5 s) is the time of checking some 150,000 events (bench/audit_verify_bench.py).
MIN_EVENTS_PER_WORKER = 200_000


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}" if self.seq is not None else self.message


# --- adapter: vendor-specific SQL (SQLite and PostgreSQL) --------------------------------------
# Each database gives the event's time as text, so no datetime object is built per row:
# PostgreSQL formats it already as the hash does; SQLite stores Django's text ("YYYY-MM-DD
# HH:MM:SS[.ffffff]", UTC), which ``_sqlite_at`` completes. Anything else is parsed as the
# ORM would parse it (``_parsed_at``).


def _column(name: str) -> str:
    return connection.ops.quote_name(Event._meta.get_field(name).column)


def _at_sql() -> str:
    at = _column("at")
    if connection.vendor == "postgresql":
        return f"""to_char({at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    return f"CAST({at} AS TEXT)"  # no declared type, so no converter builds a datetime


def _json_sql(name: str) -> str:
    column = _column(name)
    return f"CAST({column} AS TEXT)" if connection.vendor == "postgresql" else column


def _parsed_at(value: Any) -> str:
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)  # Django stores naive times in UTC
    return format_at(value)


def _sqlite_at(value: Any) -> str:
    if isinstance(value, str) and len(value) in (19, 26) and value[10] == " ":
        return f"{value[:10]}T{value[11:]}{'.000000' if len(value) == 19 else ''}Z"
    return _parsed_at(value)


def _pg_at(value: Any) -> str:
    return value if isinstance(value, str) else _parsed_at(value)


# --- end of adapter ---------------------------------------------------------------------------

COLUMNS = (
    "seq",
    "prev_hash",
    "hash",
    "at",
    "actor",
    "actor_name",
    "acting_for",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "note",
    "ip",
)


def _select_sql(seq_range: tuple[int, int] | None = None) -> str:
    selected = []
    for name in COLUMNS:
        if name == "at":
            selected.append(_at_sql())
        elif name in ("before", "after"):
            selected.append(_json_sql(name))
        else:
            selected.append(_column(name))
    table = connection.ops.quote_name(Event._meta.db_table)
    seq = _column("seq")
    where = f" WHERE {seq} BETWEEN %s AND %s" if seq_range else ""
    return f"SELECT {', '.join(selected)} FROM {table}{where} ORDER BY {seq}"


# The JSON columns' text is decoded by json's C scanner directly (``json.loads`` without its
# layers of Python calls); text with anything after the value goes through ``json.loads``,
# which decides as the ORM would.
_scan = json.scanner.make_scanner(json.JSONDecoder())
# Canonical text pieces: a string as the canonical encoder writes it (UTF-8 characters as they
# are), and a JSON value with sorted keys, compact (``warta.audit.hashing``).
_string = json.encoder.encode_basestring
_value = CANONICAL_ENCODER.encode


def _json_text(value: Any) -> str:
    """A JSON column's canonical text, from its stored text as the ORM would read it
    (``JSONField.from_db_value``: ``json.loads``)."""
    if value is None:
        return "null"
    if isinstance(value, str):
        try:
            decoded, end = _scan(value, 0)
        except StopIteration:
            end = -1
        if end != len(value):
            decoded = json.loads(value)
        return _value(decoded)
    return _value(value)


RawRow = tuple


def raw_rows(
    batch_size: int = BATCH_SIZE, seq_range: tuple[int, int] | None = None
) -> Iterator[RawRow]:
    """Every event (with ``seq_range``: those whose seq lies in it, both ends included) as a
    tuple of raw column values (``COLUMNS``, the time as text), in ``seq`` order, fetched
    ``batch_size`` rows at a time."""
    # chunked_cursor(): a named (server-side) cursor on PostgreSQL, a plain one on SQLite.
    with connection.chunked_cursor() as cursor:
        cursor.execute(_select_sql(seq_range), list(seq_range) if seq_range else None)
        while rows := cursor.fetchmany(batch_size):
            yield from rows


def at_text_function() -> Callable[[Any], str]:
    return _pg_at if connection.vendor == "postgresql" else _sqlite_at


def row_bytes(
    row: RawRow, at_text: Callable[[Any], str], json_text: Callable[[Any], str | None] = _json_text
) -> bytes | None:
    """The canonical bytes of one raw row: what ``warta.audit.hashing.canonical_bytes`` gives
    for the event, written out key by key (the keys in sorted order) instead of sorting a new
    dict per row. Equal for every event (``tests/audit/test_verify_stream.py``). With
    ``json_text=_quick_json_text``: None when a JSON column does not qualify."""
    (
        seq,
        prev_hash,
        _hash,
        at,
        actor_id,
        actor_name,
        acting_for,
        action,
        object_type,
        object_id,
        before,
        after,
        note,
        ip,
    ) = row
    before_text, after_text = json_text(before), json_text(after)
    if before_text is None or after_text is None:
        return None
    actor = "null" if actor_id is None else int.__repr__(actor_id)
    return (
        f'{{"acting_for":{_string(acting_for)},"action":{_string(action)},"actor":{actor},'
        f'"actor_name":{_string(actor_name)},"after":{after_text},'
        f'"at":{_string(at_text(at))},"before":{before_text},"ip":{_string(ip)},'
        f'"note":{_string(note)},"object_id":{_string(object_id)},'
        f'"object_type":{_string(object_type)},"prev":{_string(prev_hash)},'
        f'"seq":{int.__repr__(seq)}}}'
    ).encode()


# --- the quick path (SQLite) -------------------------------------------------------------------
# Django's SQLite backend stores a JSON value as ``json.dumps`` text: ", " and ": " between
# items, non-ASCII escaped. An event's values were stored with their keys sorted
# (``canonical_json``), so dropping the space after each "," and ":" outside strings gives the
# canonical text — without decoding and encoding. ``_quick_json_text`` does so only for text
# without a backslash (then every '"' opens or closes a string, so the split on '"' finds the
# strings exactly) and whose brackets outside strings balance; anything else gets None.
# A row's quick bytes are trusted only when their SHA-256 is the stored hash; otherwise the exact
# path decides. That never changes a verdict: if the quick bytes are the bytes the event was
# hashed over, every quick JSON text stands exactly where the canonical value stood (the texts
# around it are the same; a balanced text cannot be a proper prefix of an object or array, and
# the other columns' encoded strings hold no bare '"'), so it is the canonical text of its
# value; the stored text differs from it only by spaces JSON allows, so it decodes to the same
# value, and the exact path would give the same bytes. ``tests/audit/test_verify_stream.py``
# checks, over random events and random edits of their stored JSON, that both paths agree.


def _quick_json_text(value: Any) -> str | None:
    if value is None:
        return "null"
    if not isinstance(value, str) or "\\" in value or "\0" in value:
        return None
    parts = value.split('"')
    outside = "\0".join(parts[0::2])
    if outside.count("{") + outside.count("[") != outside.count("}") + outside.count("]"):
        return None
    parts[0::2] = outside.replace(", ", ",").replace(": ", ":").split("\0")
    return '"'.join(parts)


def quick_path_applies() -> bool:
    """The quick path fits the text Django's SQLite backend stores (adapter)."""
    return connection.vendor == "sqlite"


def _digest(row: RawRow, at_text: Callable[[Any], str], quick: bool) -> str | None:
    """The SHA-256 of the row's canonical bytes (None when they cannot be made: a JSON column
    that is no JSON, a NULL where none can be)."""
    sha256 = hashlib.sha256
    if quick:
        try:
            data = row_bytes(row, at_text, _quick_json_text)
        except (ValueError, TypeError):
            data = None
        if data is not None:
            digest = sha256(data).hexdigest()
            if digest == row[2]:
                return digest
    try:
        data = row_bytes(row, at_text)
    except (ValueError, TypeError):
        return None
    return sha256(data).hexdigest()


@dataclass
class _Walk:
    """The check of consecutive events. ``expected_seq``/``expected_prev`` None: the first
    event's links are not checked here (its neighbour is in another range) but kept in
    ``first`` for the caller."""

    expected_seq: int | None
    expected_prev: str | None
    linked: bool = False  # the first event's links were checked by ``check``
    count: int = 0
    first: tuple[int, str] | None = None
    problems: list[ChainProblem] = field(default_factory=list)

    def check(self, rows: Iterator[RawRow], quick: bool) -> Iterator[ChainProblem]:
        at_text = at_text_function()
        for row in rows:
            self.count += 1
            seq, prev_hash, stored_hash = row[0], row[1], row[2]
            if self.first is None:
                self.first = (seq, prev_hash)
            yield from _link_problems(seq, prev_hash, self.expected_seq, self.expected_prev)
            if _digest(row, at_text, quick) != stored_hash:
                yield ChainProblem(seq, "content does not match its hash (edited)")
            self.expected_prev = stored_hash
            self.expected_seq = seq + 1


def _link_problems(
    seq: int, prev_hash: str, expected_seq: int | None, expected_prev: str | None
) -> Iterator[ChainProblem]:
    if expected_seq is not None and seq != expected_seq:
        yield ChainProblem(seq, f"expected event #{expected_seq}: events are missing")
    if expected_prev is not None and prev_hash != expected_prev:
        yield ChainProblem(seq, "previous-hash link broken (deleted or reordered)")


def check_range(job: tuple[int, int, int, bool]) -> _Walk:
    """In a worker process: check the events of one seq range, its first event's links aside."""
    low, high, batch_size, quick = job
    walk = _Walk(expected_seq=None, expected_prev=None)
    try:
        walk.problems = list(walk.check(raw_rows(batch_size, (low, high)), quick))
    finally:
        connection.close()
    return walk


def _ranges(workers: int) -> list[tuple[int, int]]:
    bounds = Event.objects.aggregate(low=Min("seq"), high=Max("seq"))
    low, high = bounds["low"], bounds["high"]
    if low is None:
        return []
    span = high - low + 1
    parts = max(1, min(workers, span // MIN_EVENTS_PER_WORKER))
    edges = [low + span * n // parts for n in range(parts + 1)]
    return [(edges[n], edges[n + 1] - 1) for n in range(parts)]


def _walks(batch_size: int, quick: bool, workers: int) -> Iterator[_Walk | ChainProblem]:
    """The checked ranges in seq order (their problems yielded as they are found when the
    check runs in this process)."""
    ranges = _ranges(workers) if workers > 1 else []
    if len(ranges) <= 1:
        walk = _Walk(expected_seq=1, expected_prev=GENESIS_HASH, linked=True)
        yield from walk.check(raw_rows(batch_size), quick)
        yield walk
        return
    from django.conf import settings

    from warta.audit import verify_worker

    pool = multiprocessing.get_context("spawn").Pool(
        len(ranges),
        initializer=verify_worker.init,
        initargs=(settings.SETTINGS_MODULE, connection.settings_dict["NAME"]),
    )
    with pool:
        jobs = [(lo, hi, batch_size, quick) for lo, hi in ranges]
        yield from pool.imap(verify_worker.check_range, jobs)


def verify_chain(
    batch_size: int = BATCH_SIZE, *, quick: bool = True, workers: int = 1
) -> Iterator[ChainProblem]:
    """Yield every problem found; an intact chain yields nothing. ``quick=False`` turns the
    quick path off (the tests compare both); ``workers`` > 1 checks parts of a long chain in
    that many processes (the same problems in the same order)."""
    quick = quick and quick_path_applies()
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for walk in _walks(batch_size, quick, workers):
        if isinstance(walk, ChainProblem):
            yield walk
            continue
        if not walk.count:
            continue
        count += walk.count
        if not walk.linked:
            first_seq, first_prev = walk.first
            yield from _link_problems(first_seq, first_prev, expected_seq, expected_prev)
        yield from walk.problems
        expected_prev, expected_seq = walk.expected_prev, walk.expected_seq
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        yield ChainProblem(
            None, f"chain head says #{head.last_seq} but the last event is #{expected_seq - 1}"
        )
    if head is None and count:
        yield ChainProblem(None, "chain head missing")

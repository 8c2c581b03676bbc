"""`audit verify` reads raw rows: the canonical bytes it builds from them are exactly the bytes
the hash was defined over (the model-instance path as it was), and tampering is still found."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from warta.audit.actions import register_action
from warta.audit.hashing import GENESIS_HASH, canonical_json, event_hash
from warta.audit.models import ChainHead, Event
from warta.audit.services import record_event
from warta.audit.verify import (
    _quick_json_text,
    at_text_function,
    quick_path_applies,
    raw_rows,
    row_bytes,
    verify_chain,
)

register_action("test.stream_checked", "Test stream checked")


def reference_hash(event: Event) -> str:
    """The hash as ``warta.audit.hashing.event_hash`` computed it before verify streamed rows:
    a model instance and ``json.dumps`` of the whole payload (kept here, unchanged, as the
    definition the stored chains were written with)."""
    payload = {
        "prev": event.prev_hash,
        "seq": event.seq,
        "at": event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "acting_for": event.acting_for,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "before": event.before,
        "after": event.after,
        "note": event.note,
        "ip": event.ip,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


# Text a database keeps: any character but NUL (PostgreSQL's text and jsonb refuse it) and lone
# surrogates (not UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
TIMES = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.just(dt.UTC),
) | st.datetimes(  # whole seconds: SQLite's text then has no fraction
    min_value=dt.datetime(2000, 1, 1),
    max_value=dt.datetime(2099, 12, 31),
    timezones=st.just(dt.UTC),
).map(lambda at: at.replace(microsecond=0))
EVENTS = st.lists(
    st.fixed_dictionaries(
        {
            "at": TIMES,
            "actor_name": TEXT,
            "acting_for": TEXT,
            "object_id": TEXT.map(lambda text: text[:100]),
            "before": st.none() | JSON,
            "after": st.none() | JSON,
            "note": TEXT,
            "ip": st.sampled_from(["", "10.0.0.7", "2001:db8::1"]),
            "with_actor": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


def _insert(specs: list[dict], actor) -> None:
    """Events as a writer stores them (JSON through ``canonical_json``), hashed and chained."""
    prev = GENESIS_HASH
    for seq, spec in enumerate(specs, start=1):
        fields = {
            "seq": seq,
            "at": spec["at"],
            "actor_id": actor.pk if spec["with_actor"] else None,
            "actor_name": spec["actor_name"],
            "acting_for": spec["acting_for"],
            "action": "test.stream_checked",
            "object_type": "test.thing",
            "object_id": spec["object_id"],
            "before": canonical_json(spec["before"]),
            "after": canonical_json(spec["after"]),
            "note": spec["note"],
            "ip": spec["ip"],
        }
        digest = event_hash(prev_hash=prev, **fields)
        Event.objects.create(prev_hash=prev, hash=digest, **fields)
        prev = digest
    ChainHead.objects.update_or_create(pk=1, defaults={"last_seq": len(specs), "last_hash": prev})


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(specs=EVENTS)
def test_raw_rows_give_the_bytes_of_the_model_path(make_user, specs):
    with transaction.atomic():  # each example is rolled back, its user too
        _insert(specs, make_user("penulis"))
        at_text = at_text_function()
        events = list(Event.objects.order_by("seq"))
        rows = list(raw_rows(batch_size=2))
        assert [row[0] for row in rows] == [event.seq for event in events]
        for event, row in zip(events, rows, strict=True):
            fast = hashlib.sha256(row_bytes(row, at_text)).hexdigest()
            assert fast == reference_hash(event)
            assert fast == event.hash  # what was written is what is read back
            if quick_path_applies():  # SQLite: the quick path gives the same bytes
                assert row_bytes(row, at_text, _quick_json_text) in (None, row_bytes(row, at_text))
        assert list(verify_chain(batch_size=2)) == []
        assert list(verify_chain(batch_size=2, quick=False)) == []
        transaction.set_rollback(True)


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def chain(make_user):
    actor = make_user("auditor", full_name="Siti Aminah")
    for i in range(7):
        record_event(
            action="test.stream_checked",
            actor=actor if i % 2 else None,
            object_type="test.thing",
            object_id=i,
            before={"n": i, "teks": "ü—“kutip”"},
            after={"n": i + 1, "z": [1, 2.5, None], "a": {"b": True}},
            note=f"catatan {i}",
        )
    assert list(verify_chain(batch_size=3)) == []


def test_an_edited_time_is_found_across_chunks(chain):
    at = Event.objects.get(seq=5).at + dt.timedelta(microseconds=1)
    _raw(
        "UPDATE audit_event SET at = %s WHERE seq = 5",
        [connection.ops.adapt_datetimefield_value(at)],
    )
    assert [(p.seq, "edited" in p.message) for p in verify_chain(batch_size=3)] == [(5, True)]


def test_edited_json_key_order_alone_is_not_a_change_but_a_value_is(chain):
    # The same value written with another key order and spacing is the same event.
    _raw(
        "UPDATE audit_event SET after = %s WHERE seq = 4",
        ['{"z": [1, 2.5, null], "n": 4, "a": {"b": true}}'],
    )
    assert list(verify_chain(batch_size=3)) == []
    _raw(
        "UPDATE audit_event SET after = %s WHERE seq = 4",
        ['{"z": [1, 2.5, null], "n": 5, "a": {"b": true}}'],
    )
    assert [p.seq for p in verify_chain(batch_size=3)] == [4]


def test_an_inserted_event_is_found(chain):
    last = Event.objects.get(seq=3)
    Event.objects.create(
        seq=100,
        at=last.at,
        actor_name="Penyusup",
        action="test.stream_checked",
        object_type="test.thing",
        object_id="x",
        prev_hash=last.hash,
        hash="f" * 64,
    )
    problems = list(verify_chain(batch_size=3))
    assert {p.seq for p in problems} >= {100}


def test_deletion_and_reordering_are_found_in_any_chunk_size(chain):
    _raw("DELETE FROM audit_event WHERE seq = 6")
    assert [p.seq for p in verify_chain(batch_size=1)][:2] == [7, 7]
    _raw("UPDATE audit_event SET seq = 6 WHERE seq = 2")
    assert 6 in {p.seq for p in verify_chain(batch_size=2)}


# Edits of a stored JSON text: the same value written otherwise, or a changed text.
EDITS = st.sampled_from(["reorder", "space", "replace", "delete", "insert"])


def _edited(text: str, how: str, position: int, char: str) -> str:
    if how == "reorder":
        value = json.loads(text)
        if isinstance(value, dict):
            return json.dumps(dict(reversed(list(value.items()))))
        return json.dumps(value, separators=(",", ":"))
    at = position % (len(text) + 1)
    if how == "space":
        return text[:at] + " " + text[at:]
    if how == "insert":
        return text[:at] + char + text[at:]
    at = min(at, len(text) - 1)
    if how == "delete":
        return text[:at] + text[at + 1 :]
    return text[:at] + char + text[at + 1 :]


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    specs=EVENTS,
    which=st.integers(min_value=0, max_value=5),
    column=st.sampled_from(["before", "after"]),
    how=EDITS,
    position=st.integers(min_value=0, max_value=10_000),
    char=st.sampled_from(list(' ,:{}[]"\\0a1-.')),
)
def test_the_quick_path_never_changes_a_verdict(
    make_user, specs, which, column, how, position, char
):
    with transaction.atomic():
        _insert(specs, make_user("penulis"))
        seq = which % len(specs) + 1
        stored = Event.objects.filter(seq=seq).values_list(column, flat=True).get()
        if stored is not None:
            text = _edited(json.dumps(stored), how, position, char)
            try:
                with transaction.atomic():
                    _raw(f"UPDATE audit_event SET {column} = %s WHERE seq = %s", [text, seq])
            except DatabaseError:
                pass  # PostgreSQL refuses text that is no JSON: nothing edited
        exact = [str(p) for p in verify_chain(batch_size=2, quick=False)]
        assert [str(p) for p in verify_chain(batch_size=2)] == exact
        transaction.set_rollback(True)


def test_a_space_added_inside_a_string_is_found(make_user):
    # Stored as '{"x": "p,q", "y": "r: s"}'; a space added inside a string is an edit, though
    # dropping every ", " and ": " of the edited text would give the hashed bytes back.
    record_event(
        action="test.stream_checked",
        actor=None,
        object_type="test.thing",
        object_id=1,
        after={"x": "p,q", "y": "r:s"},
    )
    assert list(verify_chain()) == []
    _raw("UPDATE audit_event SET after = %s WHERE seq = 1", ['{"x": "p, q", "y": "r: s"}'])
    assert [p.seq for p in verify_chain()] == [1]


def test_the_quick_path_serves_plain_text_on_sqlite(make_user):
    record_event(
        action="test.stream_checked",
        actor=make_user("penulis"),
        object_type="test.thing",
        object_id=1,
        before={"b": [1, {"c": None}], "a": "teks, biasa: ya"},
        after={"n": 2.5, "m": {"x": True}},
    )
    [row] = raw_rows()
    at_text = at_text_function()
    quick = row_bytes(row, at_text, _quick_json_text)
    if quick_path_applies():
        assert quick is not None and quick == row_bytes(row, at_text)
    else:
        assert connection.vendor == "postgresql"


def test_texts_shifted_across_columns_are_found(make_user):
    """Two JSON columns edited so that their texts, put side by side, spell the hashed bytes
    again — the before value holds the very text that separates the columns. The quick path
    refuses texts whose brackets do not balance, so the edit is found."""
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    separator = ',"at":"2026-01-02T03:04:05.678901Z","before":'
    _insert(
        [
            {
                "at": at,
                "actor_name": "",
                "acting_for": "",
                "object_id": "1",
                "before": {"p": {"a": 0, "at": "2026-01-02T03:04:05.678901Z", "before": {"q": 2}}},
                "after": {"k": 1},
                "note": "",
                "ip": "",
                "with_actor": False,
            }
        ],
        make_user("penulis"),
    )
    assert list(verify_chain()) == []
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's jsonb cannot hold text that is no JSON")
    # SQLite's JSON_VALID check refuses such text too; whoever edits the file can turn it off.
    _raw("PRAGMA ignore_check_constraints = ON")
    _raw(
        "UPDATE audit_event SET after = %s, before = %s WHERE seq = 1",
        ['{"k":1}' + separator + '{"p":{"a":0', '{"q":2}}}'],
    )
    _raw("PRAGMA ignore_check_constraints = OFF")
    assert [p.seq for p in verify_chain()] == [1]
    assert [p.seq for p in verify_chain(quick=False)] == [1]

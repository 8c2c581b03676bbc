"""`audit verify --workers N`: parts of the chain checked in forked processes find exactly what
one process finds, in the same order — tampering at the edges of the parts included."""

from __future__ import annotations

import pytest
from django.db import connection

from warta.audit import verify
from warta.audit.actions import register_action
from warta.audit.models import Event
from warta.audit.services import record_event
from warta.audit.verify import verify_chain

register_action("test.parallel_checked", "Test parallel checked")

EVENTS = 12
WORKERS = 3  # parts 1–4, 5–8, 9–12


@pytest.fixture
def chain(make_user, monkeypatch):
    monkeypatch.setattr(verify, "MIN_EVENTS_PER_WORKER", 2)
    actor = make_user("auditor", full_name="Siti Aminah")
    for i in range(EVENTS):
        record_event(
            action="test.parallel_checked",
            actor=actor if i % 2 else None,
            object_type="test.thing",
            object_id=i,
            after={"n": i, "teks": "ü—“kutip”"},
        )
    assert verify._ranges(WORKERS) == [(1, 4), (5, 8), (9, 12)]


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def both() -> list[str]:
    """The problems one process finds, after checking the parallel check finds the same."""
    alone = [str(p) for p in verify_chain(batch_size=2)]
    assert [str(p) for p in verify_chain(batch_size=2, workers=WORKERS)] == alone
    return alone


TAMPERINGS = {
    "intact": [],
    "edited at a part's start": ["UPDATE audit_event SET note = 'x' WHERE seq = 5"],
    "edited at a part's end": ["UPDATE audit_event SET note = 'x' WHERE seq = 8"],
    "first of a part deleted": ["DELETE FROM audit_event WHERE seq = 5"],
    "last of a part deleted": ["DELETE FROM audit_event WHERE seq = 4"],
    "a whole part deleted": ["DELETE FROM audit_event WHERE seq BETWEEN 5 AND 8"],
    "the first event deleted": ["DELETE FROM audit_event WHERE seq = 1"],
    "the last events deleted": ["DELETE FROM audit_event WHERE seq > 10"],
    "reordered across parts": [
        "UPDATE audit_event SET seq = 100 WHERE seq = 4",
        "UPDATE audit_event SET seq = 4 WHERE seq = 5",
        "UPDATE audit_event SET seq = 5 WHERE seq = 100",
    ],
    "a link broken at a part's edge": [
        "UPDATE audit_event SET prev_hash = '" + "e" * 64 + "' WHERE seq = 9"
    ],
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_parts_in_processes_find_what_one_process_finds(chain, tampering):
    for sql in TAMPERINGS[tampering]:
        _raw(sql)
    problems = both()
    if tampering == "intact":
        assert problems == []
    else:
        assert problems, tampering


@pytest.mark.django_db(transaction=True)
def test_an_edit_in_every_part_is_found_once_each(chain):
    for seq in (2, 6, 11):
        _raw("UPDATE audit_event SET actor_name = 'Penyusup' WHERE seq = %s", [seq])
    problems = list(verify_chain(workers=WORKERS))
    assert [(p.seq, "edited" in p.message) for p in problems] == [
        (2, True),
        (6, True),
        (11, True),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_short_chain_is_checked_in_this_process(make_user, monkeypatch):
    record_event(action="test.parallel_checked", actor=None, object_type="t", object_id=1)
    assert len(verify._ranges(8)) == 1  # under MIN_EVENTS_PER_WORKER a part each
    monkeypatch.setattr(verify.multiprocessing, "get_context", None)  # would fail if used
    assert list(verify_chain(workers=8)) == []
    assert Event.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_command_checks_in_parts_and_refuses_no_workers(chain):
    from django.core.management import CommandError, call_command

    call_command("audit", "verify", "--workers", str(WORKERS))
    _raw("UPDATE audit_event SET note = 'x' WHERE seq = 9")
    with pytest.raises(CommandError, match=r"RUSAK: 1 |BROKEN: 1 "):
        call_command("audit", "verify", "--workers", str(WORKERS))
    with pytest.raises(CommandError, match="--workers"):
        call_command("audit", "verify", "--workers", "0")

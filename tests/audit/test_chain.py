"""The audit trail is append-only and `audit verify` finds any edit, deletion or reordering."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from warta.audit.actions import register_action
from warta.audit.models import AppendOnlyError, Event
from warta.audit.services import record_event
from warta.audit.verify import verify_chain

register_action("test.thing_done", "Test thing done")
register_action("test.parallel", "Test parallel append")


def write_events(user, count=5):
    return [
        record_event(
            action="test.thing_done",
            actor=user if i % 2 else None,
            object_type="test.thing",
            object_id=i,
            before={"n": i},
            after={"n": i + 1, "nested": {"ok": True, "when": "2026-11-28"}},
            note=f"catatan {i}",
            acting_for="Plh. Kasubbag" if i == 3 else "",
        )
        for i in range(count)
    ]


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def user(make_user):
    return make_user("auditor", full_name="Siti Aminah")


def test_intact_chain_verifies_and_links(user):
    events = write_events(user)
    assert list(verify_chain()) == []
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert events[1].actor_name == "Siti Aminah" and events[0].actor_name == "sistem"


def test_orm_refuses_updates_and_deletes(user):
    event = write_events(user, 1)[0]
    event.note = "diubah"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        Event.objects.filter(pk=event.pk).update(note="diubah")
    with pytest.raises(AppendOnlyError):
        Event.objects.all().delete()


def test_edit_is_found(user):
    write_events(user)
    raw("UPDATE audit_event SET note = %s WHERE seq = 3", ["dipalsukan"])
    problems = list(verify_chain())
    assert [p.seq for p in problems] == [3]
    assert "edited" in problems[0].message


def test_json_edit_is_found(user):
    write_events(user)
    raw("UPDATE audit_event SET after = %s WHERE seq = 2", ['{"n": 99}'])
    assert [p.seq for p in verify_chain()] == [2]


def test_deletion_is_found(user):
    write_events(user)
    raw("DELETE FROM audit_event WHERE seq = 2")
    problems = list(verify_chain())
    assert problems and problems[0].seq == 3


def test_deleting_the_newest_event_is_found(user):
    write_events(user)
    raw("DELETE FROM audit_event WHERE seq = 5")
    assert any(p.seq is None for p in verify_chain())


def test_reordering_is_found(user):
    write_events(user)
    raw("UPDATE audit_event SET seq = 100 WHERE seq = 2")
    raw("UPDATE audit_event SET seq = 2 WHERE seq = 4")
    raw("UPDATE audit_event SET seq = 4 WHERE seq = 100")
    assert list(verify_chain())


def test_cli_verify_reports_ok_and_tampering(user, capsys):
    write_events(user)
    call_command("audit", "verify")
    assert "5" in capsys.readouterr().out
    raw("UPDATE audit_event SET actor_name = %s WHERE seq = 4", ["Orang Lain"])
    with pytest.raises(CommandError):
        call_command("audit", "verify")
    assert "#4" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain(make_user):
    actor = make_user("penulis")
    barrier = threading.Barrier(4)

    def append(n):
        try:
            barrier.wait()
            for i in range(5):
                record_event(
                    action="test.parallel", actor=actor, object_type="t", object_id=n * 10 + i
                )
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Event.objects.count() == 20
    assert list(Event.objects.values_list("seq", flat=True)) == list(range(1, 21))
    assert list(verify_chain()) == []

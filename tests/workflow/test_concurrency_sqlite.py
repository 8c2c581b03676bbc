"""The SQLite adapter (``warta.config.sqlite``): writers of one process take turns for the write
lock, and every way a transaction ends gives the turn back."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from warta.audit.actions import register_action
from warta.audit.models import Event
from warta.audit.services import record_event
from warta.audit.verify import verify_chain

register_action("test.write", "Test write")

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's single write lock only"
)


def _turns():
    from warta.config.sqlite import base

    return base._writers


def _write(n: int) -> None:
    record_event(action="test.write", actor=None, object_type="test", object_id=n)


@pytest.mark.django_db(transaction=True)
def test_committed_and_failed_transactions_give_their_turn_back():
    with transaction.atomic():
        _write(1)
        assert _turns().locked()
    assert not _turns().locked()

    with pytest.raises(ValueError), transaction.atomic():
        _write(2)
        raise ValueError("refused")
    assert not _turns().locked()
    assert Event.objects.count() == 1

    with transaction.atomic():
        _write(3)
        connection.close()  # a connection lost in the middle of a transaction
    assert not _turns().locked()


@pytest.mark.django_db(transaction=True)
def test_many_writers_at_once_all_get_their_turn():
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def writer(worker: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(5):
                with transaction.atomic():
                    _write(worker * 100 + n)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Event.objects.count() == 40
    assert not _turns().locked()
    assert list(verify_chain()) == []


def _lock_file() -> str:
    return f"{connection.settings_dict['NAME']}-writer.lock"


def _other_process_can_lock(path: str) -> bool:
    import fcntl
    import multiprocessing

    def probe(answer) -> None:
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                answer.put(True)
            except BlockingIOError:
                answer.put(False)

    context = multiprocessing.get_context("fork")
    answer = context.Queue()
    child = context.Process(target=probe, args=(answer,))
    child.start()
    child.join(timeout=30)
    return answer.get(timeout=5)


@pytest.mark.django_db(transaction=True)
def test_a_writer_holds_the_turn_of_every_process_until_its_transaction_ends():
    with transaction.atomic():
        _write(1)
        assert not _other_process_can_lock(_lock_file())
    assert _other_process_can_lock(_lock_file())
    with pytest.raises(ValueError), transaction.atomic():
        _write(2)
        raise ValueError("refused")
    assert _other_process_can_lock(_lock_file())


def _process_writer(worker: int, start, errors) -> None:
    from django.db import connection as own

    own.close()  # the parent's connection is not this process's
    try:
        own.ensure_connection()
        with own.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout=0")  # no SQLite waiting: only the turns
        start.wait(timeout=30)
        for n in range(15):
            with transaction.atomic():
                _write(worker * 100 + n)
    except BaseException as error:  # reported to the parent
        errors.put(f"{type(error).__name__}: {error}")
    finally:
        own.close()


@pytest.mark.django_db(transaction=True)
def test_writers_of_several_processes_take_turns_without_sqlite_waiting():
    """With SQLite's busy timeout at zero, two processes beginning IMMEDIATE transactions at
    once fail with "database is locked" — unless they take turns on the file lock first."""
    import multiprocessing

    connection.close()
    context = multiprocessing.get_context("fork")
    start, errors = context.Barrier(4), context.Queue()
    workers = [context.Process(target=_process_writer, args=(w, start, errors)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
    assert Event.objects.count() == 60
    assert list(verify_chain()) == []

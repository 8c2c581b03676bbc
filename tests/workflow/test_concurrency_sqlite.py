"""The SQLite adapter (``warta.config.sqlite``): writers of one process take turns for the write
lock, and every way a transaction ends gives the turn back."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

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


# Other processes are started fresh (not forked: a fork of this multi-threaded test process
# could inherit a lock another thread holds).
PROBE = """
import fcntl, sys
with open(sys.argv[1], "a+") as handle:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        print("free")
    except BlockingIOError:
        print("taken")
"""

WRITER = """
import os, sys, time
import django
django.setup()
from django.db import connection, transaction
connection.settings_dict["NAME"] = sys.argv[1]
from warta.audit.actions import register_action
from warta.audit.services import record_event
register_action("test.write", "Test write")
connection.ensure_connection()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA busy_timeout=0")  # no SQLite waiting: only the turns
worker, start_at = int(sys.argv[2]), float(sys.argv[3])
time.sleep(max(0.0, start_at - time.time()))
for n in range(15):
    with transaction.atomic():
        record_event(
            action="test.write", actor=None, object_type="test", object_id=worker * 100 + n
        )
"""


def _python(code: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "warta.config.settings"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _other_process_can_lock(path: str) -> bool:
    out, _err = _python(PROBE, path).communicate(timeout=60)
    return out.strip() == "free"


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


@pytest.mark.django_db(transaction=True)
def test_writers_of_several_processes_take_turns_without_sqlite_waiting():
    """With SQLite's busy timeout at zero, two processes beginning IMMEDIATE transactions at
    once fail with "database is locked" — unless they take turns on the file lock first."""
    start_at = str(time.time() + 8)  # all of them set up by then
    name = connection.settings_dict["NAME"]
    writers = [_python(WRITER, name, str(w), start_at) for w in range(4)]
    failures = []
    for writer in writers:
        _out, err = writer.communicate(timeout=180)
        if writer.returncode:
            failures.append(err.strip().splitlines()[-1:])
    assert failures == []
    assert Event.objects.count() == 60
    assert list(verify_chain()) == []

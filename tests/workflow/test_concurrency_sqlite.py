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

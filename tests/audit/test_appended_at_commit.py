"""``appended_at_commit``: a state change's events join the chain together at the end of its
body — in the order recorded, only if the body succeeds, and never outliving a rolled-back
savepoint."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from warta.audit.actions import register_action
from warta.audit.models import ChainHead, Event
from warta.audit.services import appended_at_commit, record_event
from warta.audit.verify import verify_chain

register_action("test.batched", "Test batched event")

pytestmark = pytest.mark.django_db


def record(n: int) -> Event:
    return record_event(action="test.batched", actor=None, object_type="t", object_id=n)


def chain() -> list[str]:
    return list(Event.objects.order_by("seq").values_list("object_id", flat=True))


def test_events_wait_for_the_end_of_the_block_and_keep_their_order():
    record(0)
    with transaction.atomic(), appended_at_commit():
        first, second = record(1), record(2)
        assert chain() == ["0"]  # the chain head is not touched yet
        assert first.pk is None
    assert chain() == ["0", "1", "2"]
    assert [first.seq, second.seq] == [2, 3] and second.prev_hash == first.hash
    assert ChainHead.objects.get().last_seq == 3
    assert list(verify_chain()) == []


def test_an_error_in_the_block_appends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic(), appended_at_commit():
        record(1)
        raise RuntimeError("the change fails")
    assert chain() == []
    record(2)
    assert chain() == ["2"] and list(verify_chain()) == []


def test_an_event_in_a_nested_block_keeps_its_place():
    with transaction.atomic(), appended_at_commit():
        record(1)
        with transaction.atomic():
            record(2)
        record(3)
        assert chain() == []
    assert chain() == ["1", "2", "3"] and list(verify_chain()) == []


def test_a_rolled_back_savepoint_takes_only_its_own_event():
    with transaction.atomic(), appended_at_commit():
        record(1)
        try:
            with transaction.atomic():
                record(2)
                raise IntegrityError("a refused duplicate, caught by the caller")
        except IntegrityError:
            pass
        record(3)
    assert chain() == ["1", "3"] and list(verify_chain()) == []


def test_blocks_nest_and_the_outer_one_appends():
    with transaction.atomic(), appended_at_commit():
        record(1)
        with appended_at_commit():
            record(2)
        assert chain() == []
    assert chain() == ["1", "2"]

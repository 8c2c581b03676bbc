"""Checking the audit chain: finds edited, deleted, inserted or reordered events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from warta.audit.hashing import GENESIS_HASH, event_hash
from warta.audit.models import ChainHead, Event


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}" if self.seq is not None else self.message


def verify_chain(batch_size: int = 2000) -> Iterator[ChainProblem]:
    """Yield every problem found; an intact chain yields nothing."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in Event.objects.order_by("seq").iterator(chunk_size=batch_size):
        count += 1
        if event.seq != expected_seq:
            yield ChainProblem(event.seq, f"expected event #{expected_seq}: events are missing")
            expected_seq = event.seq
        if event.prev_hash != expected_prev:
            yield ChainProblem(event.seq, "previous-hash link broken (deleted or reordered)")
        recomputed = event_hash(
            prev_hash=event.prev_hash,
            seq=event.seq,
            at=event.at,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            acting_for=event.acting_for,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            before=event.before,
            after=event.after,
            note=event.note,
            ip=event.ip,
        )
        if recomputed != event.hash:
            yield ChainProblem(event.seq, "content does not match its hash (edited)")
        expected_prev = event.hash
        expected_seq = event.seq + 1
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != expected_prev):
        yield ChainProblem(
            None, f"chain head says #{head.last_seq} but the last event is #{expected_seq - 1}"
        )
    if head is None and count:
        yield ChainProblem(None, "chain head missing")

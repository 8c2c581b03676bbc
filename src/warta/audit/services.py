"""Writing audit events. Call ``record_event`` inside the transaction of the change it records.

The chain head (one row) is locked to append: every appender waits for the one before it to
commit, so its critical section — from taking the lock to the end of the transaction — is kept
short. Everything an event needs except its place in the chain (the canonical JSON of before
and after, the actor's name) is computed before the lock is taken. A state change that records
several events, or does most of its work after recording them, opens
:func:`appended_at_commit` around its body: the events are then kept in order and appended,
all at once, when the body has finished (still inside its transaction), so the chain head is
locked only for that last moment instead of from the first event to the commit.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from warta.audit.actions import get_action
from warta.audit.hashing import canonical_json, event_hash
from warta.audit.models import ChainHead, Event


def _display_name(actor: Any) -> str:
    if actor is None:
        return "sistem"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


def _marker() -> None:
    """Stands for one waiting event in the transaction's on-commit list (does nothing)."""


@dataclass
class _Pending:
    """The events a state change recorded so far, waiting for the end of its body. Each has a
    marker registered with ``transaction.on_commit``: Django drops the callbacks registered in
    a savepoint that rolls back, so an event whose marker is gone was rolled back with it."""

    entries: list[tuple[dict[str, Any], Event, Callable[[], None]]] = field(default_factory=list)


_pending: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar(
    "warta_audit_pending", default=None
)


def _lock_chain_head() -> ChainHead:
    """Lock the chain head (creating it on first use). Held until the transaction ends."""
    head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
    return head


def _append(entries: list[dict[str, Any]], events: list[Event]) -> None:
    """Give each prepared event its place in the chain and write them (one lock, one insert)."""
    # No savepoint: a failed append fails the change that records it.
    with transaction.atomic(savepoint=False):
        head = _lock_chain_head()
        seq, prev = head.last_seq, head.last_hash
        for fields, event in zip(entries, events, strict=True):
            seq += 1
            fields["seq"], fields["at"] = seq, timezone.now()
            digest = event_hash(prev_hash=prev, **fields)
            for name, value in fields.items():
                setattr(event, name, value)
            event.prev_hash, event.hash, prev = prev, digest, digest
        Event.objects.bulk_create(events)
        ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)


def _flush(pending: _Pending) -> None:
    entries, pending.entries = pending.entries, []
    alive = {id(callback[1]) for callback in connection.run_on_commit}
    kept = [(fields, event) for fields, event, marker in entries if id(marker) in alive]
    if kept:
        _append([fields for fields, _event in kept], [event for _fields, event in kept])


def record_event(
    *,
    action: str,
    actor: Any,
    object_type: str,
    object_id: str | int,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
    acting_for: str = "",
    ip: str = "",
) -> Event:
    """Append one event to the chain. ``actor`` None means the system itself.

    ``action`` must be registered (``warta.audit.actions.register_action``); an unknown code
    raises ``UnregisteredAction`` and nothing is written. Inside :func:`appended_at_commit` the
    returned event gets its ``seq`` and ``hash`` (and is written) when that block ends.
    """
    get_action(action)
    fields = {
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": _display_name(actor),
        "acting_for": acting_for,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": canonical_json(before),
        "after": canonical_json(after),
        "note": note,
        "ip": ip,
    }
    event = Event()
    pending = _pending.get()
    if pending is None:
        _append([fields], [event])
        return event
    marker = functools.partial(_marker)  # a new object each time: its identity marks the event
    transaction.on_commit(marker)
    pending.entries.append((fields, event, marker))
    return event


@contextlib.contextmanager
def appended_at_commit() -> Iterator[None]:
    """Keep the events recorded in the block and append them in order when it ends without
    an error (an error discards them: the transaction rolls back anyway). An event recorded in a
    nested atomic block that rolled back (a caught error) is dropped with that block's changes.

    Use it inside the ``transaction.atomic`` of one state change, around its whole body. Blocks
    nest: an inner one hands its events to the outer one.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("appended_at_commit() needs an open transaction")
    outer = _pending.get()
    if outer is not None:
        yield  # the outer block appends them
        return
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield
        _pending.reset(token)
        token = None
        _flush(pending)
    finally:
        if token is not None:
            _pending.reset(token)

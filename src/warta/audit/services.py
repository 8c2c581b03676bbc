"""Writing audit events. Call ``record_event`` inside the transaction of the change it records."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from warta.audit.actions import get_action
from warta.audit.hashing import canonical_json, event_hash
from warta.audit.models import ChainHead, Event


def _display_name(actor: Any) -> str:
    if actor is None:
        return "sistem"
    full = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return full or actor.get_username()


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
    raises ``UnregisteredAction`` and nothing is written.
    """
    get_action(action)
    with transaction.atomic():
        head, _created = ChainHead.objects.select_for_update().get_or_create(pk=1)
        seq = head.last_seq + 1
        at = timezone.now()
        fields = {
            "seq": seq,
            "at": at,
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
        digest = event_hash(prev_hash=head.last_hash, **fields)
        event = Event.objects.create(prev_hash=head.last_hash, hash=digest, **fields)
        ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=digest)
        return event

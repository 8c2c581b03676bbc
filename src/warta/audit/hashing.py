"""The canonical form of an event and its hash, shared by writing and verifying."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return str(value)


def canonical_json(value: Any) -> Any:
    """Round-trip through JSON so the hash sees exactly what the database stores."""
    return json.loads(json.dumps(value, default=_default, sort_keys=True))


def event_hash(
    *,
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    acting_for: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any,
    after: Any,
    note: str,
    ip: str,
) -> str:
    payload = {
        "prev": prev_hash,
        "seq": seq,
        "at": at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": actor_id,
        "actor_name": actor_name,
        "acting_for": acting_for,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "note": note,
        "ip": ip,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()

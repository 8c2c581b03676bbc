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


def _number(text: str) -> float | int:
    """A JSON number as every database gives it back: PostgreSQL's jsonb keeps numbers as
    ``numeric``, which has no negative zero and writes an integral number given in exponent
    form (``1e+16``) as an integer."""
    value = float(text)
    if value == 0:
        return 0.0
    if "e" in text.lower() and value.is_integer():
        return int(value)
    return value


def canonical_json(value: Any) -> Any:
    """Round-trip through JSON so the hash sees exactly what the database stores."""
    return json.loads(json.dumps(value, default=_default, sort_keys=True), parse_float=_number)


# The canonical text is compact JSON with sorted keys and UTF-8 characters as they are. One
# encoder, made once: ``json.dumps`` with these options would build a new one for every call.
CANONICAL_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
AT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_at(at: dt.datetime) -> str:
    """An event's time as the hash sees it: UTC, microseconds, a ``Z``."""
    return at.astimezone(dt.UTC).strftime(AT_FORMAT)


def canonical_bytes(
    *,
    prev_hash: str,
    seq: int,
    at_text: str,
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
) -> bytes:
    """The bytes an event's hash is the SHA-256 of (``at_text`` from :func:`format_at`).
    ``warta audit verify`` builds them from raw rows; :func:`event_hash` from values."""
    payload = {
        "prev": prev_hash,
        "seq": seq,
        "at": at_text,
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
    return CANONICAL_ENCODER.encode(payload).encode()


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
    data = canonical_bytes(
        prev_hash=prev_hash,
        seq=seq,
        at_text=format_at(at),
        actor_id=actor_id,
        actor_name=actor_name,
        acting_for=acting_for,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        note=note,
        ip=ip,
    )
    return hashlib.sha256(data).hexdigest()

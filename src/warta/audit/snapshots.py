"""One way to write an object's state into an audit event's ``before`` / ``after``."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models


def json_safe(value: Any) -> Any:
    """``value`` as JSON stores it: dates and times in ISO 8601, durations in seconds, model
    instances by primary key, enums by value, tuples and sets as lists, mappings recursively."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, enum.Enum):
        return json_safe(value.value)
    if isinstance(value, str):
        return str(value)  # a str subclass (a Django choice) becomes a plain string
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
        return [json_safe(item) for item in items]
    return str(value)


def snapshot(
    obj: models.Model,
    fields: Iterable[str] | None = None,
    *,
    exclude: Iterable[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """The named fields of a model instance as a JSON-safe dict, for an audit event.

    A foreign key is recorded by its id under the field's name (``cover`` → ``item.cover_id``)
    without loading the related row; other names are read as attributes. ``fields`` None means
    every concrete field but the primary key (less ``exclude``). ``extra`` adds computed values
    (``role=delegation.role.code``).
    """
    opts = obj._meta
    if fields is None:
        fields = [f.name for f in opts.concrete_fields if not f.primary_key]
    skipped = set(exclude)
    state: dict[str, Any] = {}
    for name in fields:
        if name in skipped:
            continue
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:  # a property or plain attribute
            state[name] = json_safe(getattr(obj, name))
            continue
        if field.many_to_many or field.one_to_many:
            accessor = field.get_accessor_name() if not field.concrete else name
            state[name] = sorted(getattr(obj, accessor).values_list("pk", flat=True))
        else:
            state[name] = json_safe(getattr(obj, field.attname))
    for name, value in extra.items():
        state[name] = json_safe(value)
    return state

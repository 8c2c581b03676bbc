"""The audit trail carries only the indexes its queries use (issue 12): every byte of an index
is kept for ever, like the events."""

from __future__ import annotations

import pytest
from django.db import connection

from warta.audit.models import Event


def _indexes() -> dict[tuple[str, ...], bool]:
    """Columns of every index and unique constraint on the events' table → unique or not."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Event._meta.db_table)
    return {
        tuple(info["columns"]): bool(info["unique"])
        for info in constraints.values()
        if (info["index"] or info["unique"]) and not info["primary_key"]
    }


@pytest.mark.django_db
def test_the_events_table_has_the_indexes_its_queries_use_and_no_other():
    indexes = _indexes()
    assert indexes[("seq",)] is True  # the chain's order, one event per place
    assert indexes[("action",)] is False  # the admin's filter
    assert indexes[("object_type", "object_id", "seq")] is False  # an object's events
    # No index by hash, time or actor: nothing looks an event up by them (deleting a user, rare,
    # scans for the events it protects); verify checks the hashes.
    assert set(indexes) == {
        ("seq",),
        ("action",),
        ("object_type", "object_id", "seq"),
    }

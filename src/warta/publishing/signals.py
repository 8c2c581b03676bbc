"""What the public can see changed.

``public_changed`` is sent inside the transaction that changes what the public site shows of
some items: a website publication or withdrawal, or a post recorded (or removed) on another
channel, whose link the article shows. ``item_ids`` holds the items concerned. Receivers that
write outside the database (pre-rendered pages) defer that work with
``transaction.on_commit``; receivers that keep database state (the search index) write it in
the same transaction.
"""

from __future__ import annotations

from django.dispatch import Signal

public_changed = Signal()  # item_ids: frozenset[int]


def announce(*item_ids: int) -> None:
    """Send ``public_changed`` for ``item_ids`` (inside the caller's transaction)."""
    public_changed.send(sender=None, item_ids=frozenset(item_ids))

"""Writes of the search index. The index is derived data — what the public sees of each
published item — so its writes record no audit event: the events of the publications that
change it are the record, and ``rebuild`` can recompute it from them at any time."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from warta.search.adapters import adapter_for
from warta.search.models import SearchEntry
from warta.search.selectors import BATCH, PublicText, public_texts


def _entries(texts: Iterable[PublicText]) -> list[SearchEntry]:
    return [SearchEntry(item_id=t.item_id, title=t.title, body=t.body) for t in texts]


@transaction.atomic
def index_items(*, item_ids: Iterable[int]) -> None:
    """Make the index hold what the public sees now of ``item_ids``: the public version of a
    published item, nothing of one that is not (withdrawn, never published). Runs in the
    caller's transaction (``public_changed`` is sent inside it)."""
    ids = sorted(set(item_ids))
    if not ids:
        return
    entries = _entries(public_texts(ids))
    SearchEntry.objects.filter(item_id__in=ids).delete()
    SearchEntry.objects.bulk_create(entries)


@transaction.atomic
def rebuild(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the whole index from the published items, in one transaction (searches see
    the old index until it commits). ``progress(done, total)`` is called after every batch.
    Returns the number of items indexed."""
    from warta.publishing.selectors import published_items

    adapter = adapter_for(connection)
    adapter.lock_for_rebuild(connection)
    total = published_items().count()
    SearchEntry.objects.all().delete()
    done = 0
    batch: list[PublicText] = []
    for text in public_texts():
        batch.append(text)
        if len(batch) == BATCH:
            SearchEntry.objects.bulk_create(_entries(batch))
            done += len(batch)
            batch = []
            if progress:
                progress(done, total)
    if batch:
        SearchEntry.objects.bulk_create(_entries(batch))
        done += len(batch)
    if progress:
        progress(done, total)
    adapter.optimize(connection)
    return done

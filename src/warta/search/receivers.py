"""Keeps the search index in step with what the public sees."""

from __future__ import annotations


def reindex_changed_items(sender, *, item_ids: frozenset[int], **kwargs) -> None:
    """``publishing.signals.public_changed``: sent inside the transaction of the change, so the
    index is written in that same transaction and commits or rolls back with it."""
    from warta.search.services import index_items

    index_items(item_ids=item_ids)


def prune_orphans(sender, *, using: str = "default", **kwargs) -> None:
    """After ``migrate`` and ``flush`` (which sends ``post_migrate``): remove the index rows of
    items that no longer exist. The index table is not Django's to flush (it belongs to the
    database's full-text machinery), so emptying the item table leaves its rows behind."""
    from django.db import connections

    from warta.newsroom.models import NewsItem
    from warta.search.models import SearchEntry

    connection = connections[using]
    if SearchEntry._meta.db_table not in connection.introspection.table_names():
        return
    SearchEntry.objects.using(using).exclude(
        item_id__in=NewsItem.objects.using(using).values("pk")
    ).delete()

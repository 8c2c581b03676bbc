"""The search index: one row per published item, holding what the public sees of it.

``SearchEntry`` is not managed by Django's migrations: its table is a database's own full-text
structure, created by the adapter of that database (``warta.search.adapters``):

- SQLite: an FTS5 virtual table (tokenizer ``unicode61 remove_diacritics 2``, ranked by bm25);
- PostgreSQL: a table with a generated ``tsvector`` column (``simple`` + ``unaccent``, the title
  weighted above the body) and a GIN index on it.

Both have the same columns for the ORM: ``rowid`` (the item's id: FTS5's own row id), ``title``
and ``body`` (the plain text of the public body). Only ``warta.search.services`` writes it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from warta.newsroom.models import NewsItem
from warta.search.expressions import IndexedTextField


class SearchEntry(models.Model):
    item = models.OneToOneField(
        NewsItem,
        primary_key=True,
        db_column="rowid",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="search_entry",
        verbose_name=_("news item"),
    )
    title = IndexedTextField(_("title"))
    body = IndexedTextField(_("text"))

    class Meta:
        managed = False
        db_table = "search_entry"
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")

    def __str__(self) -> str:
        return self.title

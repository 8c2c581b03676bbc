"""Database adapters of the search index: the only place with vendor-specific search SQL.

One module per database, each with the same functions:

- ``install(schema_editor)`` / ``uninstall(schema_editor)``: create or drop the index table
  ``search_entry`` (columns ``rowid``, ``title``, ``body``) and what it needs;
- ``prepare(connection, terms)``: ``terms`` with what the adapter needs to know before the query;
- ``match_sql(alias, terms)`` / ``rank_sql(alias, terms)``: SQL (and parameters) telling whether
  the row of ``alias`` matches ``terms`` and how well (ascending: best first);
- ``lock_for_rebuild(connection)`` / ``optimize(connection)``: before and after a rebuild;
- ``vocabulary_near(connection, word, limit)``: indexed words that look like ``word``, each with
  the number of rows holding it, for "did you mean";
- ``explain(connection, sql, params)``: the query plan, for the benchmark.
"""

from __future__ import annotations

from types import ModuleType


def adapter_for(connection) -> ModuleType:
    if connection.vendor == "postgresql":
        from warta.search.adapters import postgresql

        return postgresql
    if connection.vendor == "sqlite":
        from warta.search.adapters import sqlite

        return sqlite
    raise NotImplementedError(f"no search adapter for {connection.vendor}")

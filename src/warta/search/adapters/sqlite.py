"""SQLite adapter of the search index: an FTS5 table ranked by bm25.

``search_entry`` is an FTS5 virtual table holding its own copy of the text (title, body); its
``rowid`` is the item's id, so the item table joins it on its primary key and FTS5 serves the
``MATCH`` first. The tokenizer ``unicode61 remove_diacritics 2`` folds case and accents
("Sumbáwa" finds "Sumbawa" and the other way round). The ranking function is stored in the
table (``rank``: ``bm25`` with the title weighing ``TITLE_WEIGHT`` times the body): bm25 is
negative, best first, so ascending order is what the selector wants.
"""

from __future__ import annotations

from warta.search import terms as search_terms
from warta.search.terms import Terms

TABLE = "search_entry"
TITLE_WEIGHT = 10.0


def install(schema_editor) -> None:
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "title, body, tokenize = 'unicode61 remove_diacritics 2')"
    )
    schema_editor.execute(
        f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('rank', 'bm25({TITLE_WEIGHT}, 1.0)')"
    )
    # The words of the index and how many rows hold each, for "did you mean" (``suggest``).
    schema_editor.execute(f"CREATE VIRTUAL TABLE {TABLE}_vocab USING fts5vocab({TABLE}, 'row')")


def uninstall(schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}_vocab")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


def fts_query(terms: Terms) -> str:
    """An FTS5 query of ``terms``: every word a quoted string (no operator can be formed), the
    last one a prefix when ``terms.prefix``."""
    parts = ['"' + word.replace('"', '""') + '"' for word in terms.words]
    if terms.prefix:
        parts[-1] += "*"
    return " ".join(parts)


def prepare(connection, terms: Terms) -> Terms:
    return terms


def match_sql(alias: str, terms: Terms) -> tuple[str, list]:
    """Matches, among the newest ``MAX_RESULTS`` matching rows: FTS5 walks a term's row ids
    backwards and stops (no ranking), then serves ``MATCH`` with the ``rowid`` range."""
    query = fts_query(terms)
    return (
        f"{alias}.{TABLE} MATCH %s AND {alias}.rowid >= (SELECT coalesce(min(rowid), 0) FROM "
        f"(SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rowid DESC LIMIT %s))",
        [query, query, search_terms.MAX_RESULTS],
    )


def rank_sql(alias: str, terms: Terms) -> tuple[str, list]:
    return f"{alias}.rank", []


def lock_for_rebuild(connection) -> None:
    """Nothing to do: SQLite has one writer at a time."""


def optimize(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")


def vocabulary_near(connection, word: str, limit: int) -> list[tuple[str, int]]:
    """Indexed words of about ``word``'s length sharing its first letter (the typo rarely is
    there), most frequent first; the caller measures the edit distance."""
    low, high = max(1, len(word) - 2), len(word) + 2
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, doc FROM {TABLE}_vocab WHERE term >= %s AND term < %s "
            "AND length(term) BETWEEN %s AND %s ORDER BY doc DESC LIMIT %s",
            [word[0], word[0] + "\U0010ffff", low, high, limit],
        )
        return [(term, count) for term, count in cursor.fetchall()]


def explain(connection, sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())

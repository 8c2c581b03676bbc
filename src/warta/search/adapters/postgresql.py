"""PostgreSQL adapter of the search index: a generated ``tsvector`` with a GIN index.

``search_entry`` is a plain table (``rowid`` is the item's id) whose ``document`` column
PostgreSQL computes from the title (weight A) and the body (weight B) with the text search
configuration ``warta_search``: the ``simple`` dictionary (no stemming, which suits Indonesian,
whose affixes a Snowball stemmer for another language would mangle) behind ``unaccent``, so
case and accents fold ("Sumbáwa" finds "Sumbawa"). Both extensions it needs are trusted
(a database owner may create them). Ranked with ``ts_rank``, negated so that ascending
order puts the best first. No foreign key to the item table: Django's flush truncates the
tables it manages, and this one is not among them (``SearchEntry``'s ``on_delete`` removes a
deleted item's row instead).
"""

from __future__ import annotations

from dataclasses import replace

from django.db import transaction

from warta.search import terms as search_terms
from warta.search.terms import Terms

TABLE = "search_entry"
CONFIG = "warta_search"
WORDS = "search_word"


def install(schema_editor) -> None:
    for statement in (
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
        f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)",
        f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
        f"""CREATE TABLE {TABLE} (
            rowid bigint PRIMARY KEY,
            title text NOT NULL,
            body text NOT NULL,
            document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('{CONFIG}'::regconfig, title), 'A')
                || setweight(to_tsvector('{CONFIG}'::regconfig, body), 'B')
            ) STORED
        )""",
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
        # A search reads at most MAX_RESULTS rows: starting parallel workers costs more.
        f"ALTER TABLE {TABLE} SET (parallel_workers = 0)",
        # The indexed words, for "did you mean" (trigram similarity). Words of new rows are
        # added as they come (without locking existing words: concurrent publications never
        # wait on each other here); ``optimize`` recounts them all after a rebuild.
        f"CREATE TABLE {WORDS} (word text PRIMARY KEY, ndoc integer NOT NULL)",
        f"CREATE INDEX {WORDS}_trgm ON {WORDS} USING gin (word gin_trgm_ops)",
        f"""CREATE FUNCTION {WORDS}_add() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {WORDS} (word, ndoc)
            SELECT w.word, count(*) FROM new_rows, unnest(tsvector_to_array(new_rows.document))
                AS w(word)
            GROUP BY w.word ORDER BY w.word
            ON CONFLICT (word) DO NOTHING;
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER {WORDS}_on_insert AFTER INSERT ON {TABLE}
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {WORDS}_add()""",
        f"""CREATE TRIGGER {WORDS}_on_update AFTER UPDATE ON {TABLE}
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {WORDS}_add()""",
    ):
        schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {WORDS}_add()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {WORDS}")
    schema_editor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")


def ts_query(terms: Terms) -> str:
    """A ``to_tsquery`` text of ``terms``: every word quoted (letters and digits only, so no
    operator can be formed), all required, the last one a prefix when ``terms.prefix``."""
    parts = ["'" + word.replace("'", "''") + "'" for word in terms.words]
    if terms.prefix:
        parts[-1] += ":*"
    return " & ".join(parts)


# A word in more than this share of the rows is "common" (``prepare``).
COMMON_SHARE = 0.3


def prepare(connection, terms: Terms) -> Terms:
    """Mark ``terms`` common when each word is in more than ``COMMON_SHARE`` of the rows
    (from the word counts; the row count is the planner's estimate): walking the rows from the
    newest then finds ``MAX_RESULTS`` matches soonest. Otherwise the GIN index finds them, and
    the planner must not walk the primary key instead (it cannot see that testing ``@@`` on a
    row means reading its whole ``tsvector``)."""
    # A prefix matches at least the rows of the whole word.
    words = sorted({search_terms.fold(word) for word in terms.words})
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(min(w.ndoc), 0), count(w.word), "
            f"(SELECT reltuples FROM pg_class WHERE oid = '{TABLE}'::regclass) "
            f"FROM {WORDS} AS w WHERE w.word = ANY(%s)",
            [list(words)],
        )
        least, found, rows = cursor.fetchone()
    common = bool(found == len(words) and rows and rows > 0 and least > COMMON_SHARE * rows)
    return replace(terms, common=common, candidates=_newest_matches(connection, terms, common))


def _newest_matches(connection, terms: Terms, common: bool) -> tuple[int, ...]:
    """The ids of the newest ``MAX_RESULTS`` matching rows, found once for the page's count and
    rows. Common words: walking the primary key from the newest. Otherwise the GIN index, and
    the planner is kept from scanning the whole table instead: it cannot see that testing
    ``@@`` on a row means reading (and decompressing) its whole ``tsvector`` — at ten years a
    word in a quarter of the rows took 90 ms that way, 20 through the index."""
    order = "rowid" if common else "rowid + 0"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if not common:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"SELECT rowid FROM {TABLE} WHERE document @@ to_tsquery('{CONFIG}', %s) "
            f"ORDER BY {order} DESC LIMIT %s",
            [ts_query(terms), search_terms.MAX_RESULTS],
        )
        return tuple(row[0] for row in cursor.fetchall())


def match_sql(alias: str, terms: Terms) -> tuple[str, list]:
    """One of the newest ``MAX_RESULTS`` matching rows (so at most that many rows are joined
    and ranked): those ``prepare`` found, or found here when it did not run."""
    if terms.candidates is not None:
        return f"{alias}.rowid = ANY(%s)", [list(terms.candidates)]
    order = "rowid" if terms.common else "rowid + 0"
    return (
        f"{alias}.rowid = ANY(ARRAY(SELECT rowid FROM {TABLE} "
        f"WHERE document @@ to_tsquery('{CONFIG}', %s) "
        f"ORDER BY {order} DESC LIMIT %s))",
        [ts_query(terms), search_terms.MAX_RESULTS],
    )


def rank_sql(alias: str, terms: Terms) -> tuple[str, list]:
    """``ts_rank`` (word frequencies, the title's weight A above the body's B). Not
    ``ts_rank_cd``: with a prefix word, cover density costs about twice as much per row."""
    return f"-ts_rank({alias}.document, to_tsquery('{CONFIG}', %s))", [ts_query(terms)]


def lock_for_rebuild(connection) -> None:
    """Make concurrent index writes (a publication meanwhile) wait for the rebuild's commit
    instead of colliding with its rows; searches go on reading the old index."""
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")


def optimize(connection) -> None:
    """After a rebuild: recount the words (dropping those no row holds any more)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {WORDS}")
        cursor.execute(
            f"INSERT INTO {WORDS} (word, ndoc) SELECT word, ndoc "
            f"FROM ts_stat('SELECT document FROM {TABLE}')"
        )
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute(f"ANALYZE {WORDS}")


def vocabulary_near(connection, word: str, limit: int) -> list[tuple[str, int]]:
    """Indexed words similar to ``word`` (pg_trgm), most similar first, and ``word`` itself
    when it is indexed; the caller measures the edit distance."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"(SELECT word, ndoc FROM {WORDS} WHERE word = %s) UNION ALL "
            f"(SELECT word, ndoc FROM {WORDS} WHERE word %% %s "
            "ORDER BY similarity(word, %s) DESC, ndoc DESC LIMIT %s)",
            [word, word, word, min(limit, 50)],
        )
        return [(term, count) for term, count in cursor.fetchall()]


def explain(connection, sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())

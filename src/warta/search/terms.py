"""What a person typed, made safe for any database's full-text query language.

A query is cut to its first ``MAX_QUERY_CHARS`` characters and reduced to at most ``MAX_TERMS``
words of letters and digits: quotes, brackets, operators (``AND OR NEAR * ^ : -``), NUL and
emoji never reach the database as syntax, whatever the input. Every word must be found (AND);
the last one also as the start of a longer word, as people type ("imigr" finds "imigrasi").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_QUERY_CHARS = 200
MAX_TERMS = 10
MAX_TERM_CHARS = 40
# A search lists at most the newest MAX_RESULTS matching items (by item id), ranked: the cost of
# a query then stays bounded however many items a common word is in ("imigrasi" is in nearly
# every item of an immigration office), and nobody pages past the hundredth page.
MAX_RESULTS = 1000
# The shortest last word matched as a prefix: "a*" would match nearly every row.
MIN_PREFIX_CHARS = 3
# Letters and digits (of any script): the underscore and punctuation separate words.
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Terms:
    words: tuple[str, ...]
    prefix: bool  # the last word also matches longer words
    # Set by an adapter's ``prepare``: every word is in a large share of the rows, so the
    # newest matches are best found walking the rows from the newest (PostgreSQL).
    common: bool = False
    # Set by an adapter's ``prepare`` that finds the newest matching rows itself (PostgreSQL):
    # their ids, at most ``MAX_RESULTS``, so the page's count and its rows do not search again.
    candidates: tuple[int, ...] | None = None

    def __bool__(self) -> bool:
        return bool(self.words)


def fold(word: str) -> str:
    """Lower case without accents, as both indexes keep their words ("Sumbáwa" → "sumbawa")."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse(q: str) -> Terms:
    """The words of ``q`` (lower case, in order, without repeats), bounded."""
    text = unicodedata.normalize("NFKC", (q or "").replace("\x00", " ")[:MAX_QUERY_CHARS])
    words: list[str] = []
    for word in WORD.findall(text):
        word = word.lower()[:MAX_TERM_CHARS]
        if word not in words:
            words.append(word)
        if len(words) == MAX_TERMS:
            break
    last = words[-1] if words else ""
    ends_in_word = bool(last) and text.rstrip() == text and text.lower().endswith(last)
    return Terms(words=tuple(words), prefix=ends_in_word and len(last) >= MIN_PREFIX_CHARS)

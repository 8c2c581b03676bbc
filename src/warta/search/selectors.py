"""Reads of the search index: the public search, "did you mean", and what the index should hold.

``search_published`` is the one selector the public site calls; the database's own full-text
machinery answers it (``warta.search.adapters``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from warta.newsroom.models import NewsItem
from warta.publishing.selectors import public_versions, published_items
from warta.search import terms as search_terms
from warta.search.adapters import adapter_for
from warta.search.expressions import SearchRank
from warta.site.selectors import plain_text


def search_published(q: str) -> QuerySet[NewsItem]:
    """The published items matching ``q`` (every word, the last also as a prefix), best first
    (a title hit above a body hit), then newest. Any text is a valid ``q``; one without a word
    finds nothing. Searches what the public sees: during a correction, the published text.

    At most the newest ``terms.MAX_RESULTS`` matching items are listed (by item id), so the
    cost stays bounded however common a word is. Usable with Django's ``Paginator``. On
    PostgreSQL one small query runs here (``adapters.postgresql.prepare``)."""
    terms = search_terms.parse(q)
    items = published_items()
    if not terms:
        return items.none()
    terms = adapter_for(connection).prepare(connection, terms)
    return items.filter(search_entry__title__matches=terms).order_by(
        SearchRank(terms), "-published_at", "-pk"
    )


@dataclass(frozen=True)
class PublicText:
    """What the index holds of one item: what the public sees of it, as plain text."""

    item_id: int
    title: str
    body: str


def public_texts(item_ids: Iterable[int] | None = None) -> Iterator[PublicText]:
    """The public text of the published items among ``item_ids`` (every published item when
    None), in id order, read in batches. An item not published yields nothing."""
    items = published_items().select_related("case").order_by("pk")
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    last_pk = 0
    while True:
        batch = list(items.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return
        last_pk = batch[-1].pk
        public_versions(batch)
        for item in batch:
            yield PublicText(item_id=item.pk, title=item.title, body=plain_text(item.body))


BATCH = 500

# "Did you mean": words within this many edits of a word the index lacks.
MAX_EDITS = 2
SUGGEST_CANDIDATES = 2000


def edit_distance(a: str, b: str, bound: int) -> int:
    """Levenshtein distance of ``a`` and ``b`` (adjacent swaps count one), or ``bound + 1``
    once it exceeds ``bound``."""
    if abs(len(a) - len(b)) > bound:
        return bound + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > bound:
            return bound + 1
        previous2, previous = previous, current
    return previous[-1] if previous[-1] <= bound else bound + 1


def suggest(q: str) -> str | None:
    """A query close to ``q`` whose every word is in the index, when some word of ``q`` is not
    (a typo): "pasport imigrsi" → "paspor imigrasi". None when ``q`` needs no correction or no
    close word is indexed. Meant for a search that found nothing (a last word typed halfway is
    not in the index either, but it finds its words as a prefix)."""
    terms = search_terms.parse(q)
    if not terms:
        return None
    adapter = adapter_for(connection)
    changed = False
    words = []
    for word in terms.words:
        folded = search_terms.fold(word)
        if not folded or folded.isdigit():
            words.append(word)
            continue
        candidates = adapter.vocabulary_near(connection, folded, SUGGEST_CANDIDATES)
        counts = dict(candidates)
        if folded in counts:
            words.append(word)
            continue
        bound = 1 if len(folded) <= 4 else MAX_EDITS
        best = None
        for candidate, count in candidates:
            distance = edit_distance(folded, candidate, bound)
            if distance <= bound and (best is None or (distance, -count) < best[0]):
                best = ((distance, -count), candidate)
        if best is None:
            words.append(word)
            continue
        words.append(best[1])
        changed = True
    if not changed:
        return None
    suggestion = " ".join(words)
    # The words are indexed, but perhaps not together (or, on PostgreSQL, no longer: words
    # stay listed until a rebuild): offer only a query that finds something.
    return suggestion if search_published(suggestion).exists() else None

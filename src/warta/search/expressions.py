"""The ORM side of a search: a lookup that matches and an expression that ranks, each compiled
by the adapter of the database in use (``warta.search.adapters``), so the selector is one
database-neutral query: ``items.filter(search_entry__title__matches=terms)
.order_by(SearchRank(terms), ...)``."""

from __future__ import annotations

from django.db import models
from django.db.models import F, FloatField, Lookup

from warta.search.adapters import adapter_for
from warta.search.terms import Terms


class IndexedTextField(models.TextField):
    """A text column of the search index; it answers the ``matches`` lookup."""


@IndexedTextField.register_lookup
class Matches(Lookup):
    """``search_entry__title__matches=terms``: the index row matches ``terms`` (title or
    body). The left side only tells which joined row (its table alias) is meant."""

    lookup_name = "matches"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def get_prep_lookup(self):
        if not isinstance(self.rhs, Terms):
            raise TypeError("matches takes warta.search.terms.Terms")
        return self.rhs

    def as_sql(self, compiler, connection):
        return adapter_for(connection).match_sql(
            compiler.quote_name_unless_alias(self.lhs.alias), self.rhs
        )


class SearchRank(models.Expression):
    """How well the item's index row matches ``terms``; ascending order puts the best first
    (each adapter turns its database's rank into that)."""

    output_field = FloatField()

    def __init__(self, terms: Terms, column=None) -> None:
        super().__init__()
        self.terms = terms
        self.column = column if column is not None else F("search_entry__title")

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        return adapter_for(connection).rank_sql(
            compiler.quote_name_unless_alias(self.column.alias), self.terms
        )

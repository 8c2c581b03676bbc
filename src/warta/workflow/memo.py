"""Answers that stay the same for the length of one transition, asked once.

A transition asks some things several times: the working calendar (the due time of each step
it opens, then each alert of those steps), whether its actor holds a role (the actor check,
then a relay step the same action finishes). :func:`transition` opens a memo for the body of
one state change; :func:`remember` answers from it, or computes when no transition is open (a
page, a test calling a helper directly) — so nothing outside a transition ever sees a value
kept from before.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Hashable, Iterator
from typing import Any, ParamSpec, TypeVar

from django.db import transaction

from warta.audit.services import appended_at_commit

P = ParamSpec("P")
T = TypeVar("T")

_memo: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar(
    "warta_transition_memo", default=None
)


@contextlib.contextmanager
def scope() -> Iterator[None]:
    """A memo for the enclosed block (the outermost block's memo serves nested ones)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, asked once per open transition for ``key``."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def transition(func: Callable[P, T]) -> Callable[P, T]:
    """Run a state change in one transaction, with a memo, and its audit events appended to
    the chain at the end of the body (``warta.audit.services.appended_at_commit``): the chain
    head stays locked only from then to the commit."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with transaction.atomic(), scope(), appended_at_commit():
            return func(*args, **kwargs)

    return wrapper


def calendar() -> Any:
    """The working calendar (``warta.worktime.config.get_calendar``), read once a transition."""
    from warta.worktime.config import get_calendar

    return remember("worktime.calendar", get_calendar)

"""The engine's notion of "now", in one place so tests and simulations can control it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.utils import timezone

_override: Callable[[], dt.datetime] | None = None


def now() -> dt.datetime:
    return _override() if _override is not None else timezone.now()


@contextmanager
def frozen_at(source: Callable[[], dt.datetime]) -> Iterator[None]:
    """Within the block, ``now()`` returns ``source()`` (for tests and simulations)."""
    global _override
    previous, _override = _override, source
    try:
        yield
    finally:
        _override = previous

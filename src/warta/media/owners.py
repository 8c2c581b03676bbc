"""Which assets belong to a case's subject: the owning app says (the media app knows no news).

An app that attaches assets to the subjects of its cases registers a function returning them;
the artifact providers (``providers``) ask it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from warta.media.models import Asset

AssetsOf = Callable[[Any], Iterable[Asset] | None]
_sources: dict[str, AssetsOf] = {}


def register_assets_source(subject_type: str, assets_of: AssetsOf) -> None:
    """``assets_of(case)`` returns the assets of the case's subject, or None if it has none."""
    _sources[subject_type] = assets_of


def assets_of(case: Any) -> list[Asset] | None:
    source = _sources.get(case.subject_type)
    if source is None:
        return None
    assets = source(case)
    return None if assets is None else list(assets)

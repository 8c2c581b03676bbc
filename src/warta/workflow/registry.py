"""How a subject (e.g. a news item) plugs its own checks into the generic engine.

The engine knows artifacts only by id. Whether a case's subject has an artifact (the news text,
a photo …) is answered by the ``SubjectHooks`` registered for its subject type. For subject types
with no hooks, or artifacts the hooks do not know (they return None), the executor's own
confirmation counts: the action passes the ids of the items the executor ticked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from warta.workflow.models import Case


class SubjectHooks(Protocol):
    def has_artifact(self, case: Case, artifact_id: str) -> bool | None:
        """True/False when the subject can tell; None to fall back to the executor's word."""

    # Optional: ``subject_url(case) -> str``, the page of the subject (for notification links).


_hooks: dict[str, SubjectHooks] = {}


def register_subject(subject_type: str, hooks: SubjectHooks) -> None:
    _hooks[subject_type] = hooks


def unregister_subject(subject_type: str) -> None:
    _hooks.pop(subject_type, None)


def hooks_for(subject_type: str) -> SubjectHooks | None:
    return _hooks.get(subject_type)

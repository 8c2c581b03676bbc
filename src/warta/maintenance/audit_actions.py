"""The audit actions of maintenance: by-products pruned."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from warta.audit.actions import register_action
from warta.maintenance import texts


def _pruned(event) -> str:
    return texts.deleted(event.after or {})


def register() -> None:
    register_action("maintenance.pruned", gettext_lazy("By-products pruned"), _pruned)

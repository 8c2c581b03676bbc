"""The audit actions of the SOP app."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import register_action


def _loaded(event) -> str:
    after = event.after or {}
    previous = (event.before or {}).get("active_version")
    values = {
        "name": after.get("name") or after.get("code", ""),
        "version": after.get("version", ""),
        "previous": previous,
    }
    if previous:
        return _("%(name)s version %(version)s loaded; it replaces version %(previous)s.") % values
    return _("%(name)s version %(version)s loaded.") % values


def register() -> None:
    register_action("sop.loaded", gettext_lazy("SOP loaded"), _loaded)

"""The audit actions of media."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import data, register_action


def _focus(event) -> str:
    return _("Focus point set at %(x)d%% across, %(y)d%% down.") % {
        "x": round(float(data(event, "x", 0)) * 100),
        "y": round(float(data(event, "y", 0)) * 100),
    }


def _poster(event) -> str:
    return _("Poster frame chosen at %(time).1f s.") % {"time": float(data(event, "time") or 0)}


def _failed(event) -> str:
    return _("Processing failed: %(reason)s") % {"reason": data(event, "reason") or ""}


def register() -> None:
    register_action("media.focus_set", gettext_lazy("Focus point set"), _focus)
    register_action("media.poster_chosen", gettext_lazy("Poster frame chosen"), _poster)
    register_action("media.processing_failed", gettext_lazy("Media processing failed"), _failed)

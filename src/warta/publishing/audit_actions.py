"""The audit actions of publishing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import data, register_action


def _published(event) -> str:
    channels = data(event, "channels") or {}
    return _("Published: %(urls)s") % {"urls": ", ".join(str(url) for url in channels.values())}


def register() -> None:
    # The code keeps its first name ("newsroom.") so events recorded before the move still match.
    register_action("newsroom.item_published", gettext_lazy("News item published"), _published)

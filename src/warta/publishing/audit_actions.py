"""The audit actions of publishing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import data, register_action


def _published(event) -> str:
    channels = data(event, "channels") or {}
    return _("Published: %(urls)s") % {"urls": ", ".join(str(url) for url in channels.values())}


def _requested(event) -> str:
    accounts = data(event, "accounts") or []
    return _("Publishing to: %(accounts)s") % {"accounts": ", ".join(map(str, accounts))}


def _recorded(event) -> str:
    return _("%(channel)s: %(url)s") % {
        "channel": data(event, "channel") or "",
        "url": data(event, "url") or "—",
    }


def _failed(event) -> str:
    return _("%(channel)s: %(error)s") % {
        "channel": data(event, "channel") or "",
        "error": data(event, "error") or "",
    }


def _channels(event) -> str:
    return ", ".join(map(str, data(event, "channels") or [data(event, "channel") or ""]))


def register() -> None:
    # The code keeps its first name ("newsroom.") so events recorded before the move still match.
    register_action("newsroom.item_published", gettext_lazy("News item published"), _published)
    register_action("publishing.requested", gettext_lazy("Publishing started"), _requested)
    register_action("publishing.recorded", gettext_lazy("Post published or recorded"), _recorded)
    register_action("publishing.failed", gettext_lazy("Publishing failed"), _failed)
    register_action(
        "publishing.needs_check", gettext_lazy("Publishing outcome unknown: checking"), _failed
    )
    register_action("publishing.retried", gettext_lazy("Publishing sent again"), _channels)
    register_action("publishing.withdrawn", gettext_lazy("News withdrawn"), _channels)
    register_action("publishing.text_saved", gettext_lazy("Channel texts saved"), _channels)
    register_action("publishing.account_saved", gettext_lazy("Channel account saved"), _channels)

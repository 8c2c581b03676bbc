"""The audit actions of notifications."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import register_action


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _preference_changed(event) -> str:
    from warta.notify.kinds import kind_label
    from warta.notify.models import Mode

    before, after = event.before or {}, event.after or {}
    return _("Notifications “%(kind)s”: %(before)s → %(after)s.") % {
        "kind": kind_label(after.get("kind") or before.get("kind", "")),
        "before": _label(Mode, before.get("mode", "")),
        "after": _label(Mode, after.get("mode", "")),
    }


def _mail_sent(event) -> str:
    after = event.after or {}
    return _("E-mail “%(subject)s” sent to %(to)s.") % {
        "subject": after.get("subject", ""),
        "to": after.get("to", ""),
    }


def register() -> None:
    register_action("notify.mail_sent", gettext_lazy("E-mail sent"), _mail_sent)
    register_action(
        "notify.preference_changed",
        gettext_lazy("Notification preference changed"),
        _preference_changed,
    )

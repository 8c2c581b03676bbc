"""The audit actions of notifications."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import person, register_action
from warta.worktime.zone import format_instant


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


def _digest_day(value) -> str:
    try:
        return formats.date_format(dt.date.fromisoformat(value), "j F Y")
    except (TypeError, ValueError):
        return str(value or "")


def _mail_sent(event) -> str:
    """Events before issue 12 carry the subject and ``sent_at`` (mostly the event's own time);
    newer ones name the kind, the person and the notification or the digest's day, and carry
    ``sent_at`` only when the mail went out well before the event — shown only then. Nothing
    here needs the notification itself, which may be pruned long before the trail."""
    from warta.notify.kinds import kind_label
    from warta.notify.retention import DIGEST, SENT_AT_SLACK

    after = event.after if isinstance(event.after, dict) else {}
    to = after.get("to", "")
    if "subject" in after:
        text = _("E-mail “%(subject)s” sent to %(to)s.") % {"subject": after["subject"], "to": to}
    else:
        name = person(after.get("recipient"))
        to = f"{name} <{to}>" if name else to
        if after.get("kind") == DIGEST:
            text = _("Daily digest of %(day)s sent to %(to)s.") % {
                "day": _digest_day(after.get("day")),
                "to": to,
            }
        else:
            text = _("“%(kind)s” e-mail sent to %(to)s.") % {
                "kind": kind_label(after.get("kind", "")),
                "to": to,
            }
    sent_at = parse_datetime(after.get("sent_at") or "")
    if sent_at is not None and event.at is not None and event.at - sent_at > SENT_AT_SLACK:
        text += " " + _("It went out on %(time)s.") % {"time": format_instant(sent_at)}
    return text


def register() -> None:
    register_action("notify.mail_sent", gettext_lazy("E-mail sent"), _mail_sent)
    register_action(
        "notify.preference_changed",
        gettext_lazy("Notification preference changed"),
        _preference_changed,
    )

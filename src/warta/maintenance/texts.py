"""The words that say what a prune deleted, shared by the audit trail and ``warta prune``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _


def deleted_parts(counts: Mapping[str, Any]) -> list[str]:
    """One phrase per kind of by-product in ``counts`` (a ``Pruned`` as a dict, or the
    ``after`` of a ``maintenance.pruned`` event). Events written before step alerts and
    notifications were pruned lack their keys; their phrases are left out."""
    parts = [
        _("%(count)s sent e-mails older than %(days)s days")
        % {"count": counts.get("mails", 0), "days": counts.get("mail_retention_days", "?")},
        _("%(count)s finished background task results older than %(days)s days")
        % {
            "count": counts.get("task_results", 0),
            "days": counts.get("task_result_retention_days", "?"),
        },
    ]
    if "step_alerts" in counts:
        parts.append(
            _("%(count)s handled step alerts older than %(days)s days")
            % {
                "count": counts["step_alerts"],
                "days": counts.get("task_result_retention_days", "?"),
            }
        )
    if counts.get("notification_retention_days"):
        parts.append(
            _("%(count)s notifications older than %(days)s days")
            % {
                "count": counts.get("notifications", 0),
                "days": counts["notification_retention_days"],
            }
        )
    return parts


def kept_for_ever(counts: Mapping[str, Any]) -> str:
    """The note that notifications are kept for ever, when the retention says so; else ""."""
    if counts.get("notification_retention_days", None) == 0:
        return _("Notifications are kept for ever.")
    return ""


def deleted(counts: Mapping[str, Any]) -> str:
    """What a prune deleted, in one sentence (and the note on notifications kept for ever)."""
    text = _("Deleted: %(parts)s.") % {"parts": "; ".join(deleted_parts(counts))}
    return " ".join(filter(None, [text, kept_for_ever(counts)]))


def would_delete(counts: Mapping[str, Any]) -> str:
    """What a dry run found to delete."""
    text = _("Would delete: %(parts)s (dry run: nothing deleted).") % {
        "parts": "; ".join(deleted_parts(counts))
    }
    return " ".join(filter(None, [text, kept_for_ever(counts)]))

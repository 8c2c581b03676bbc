"""The audit actions of maintenance: by-products pruned."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import register_action


def _pruned(event) -> str:
    after = event.after or {}
    return _(
        "Deleted %(mails)s sent e-mails older than %(mail_days)s days and %(tasks)s finished "
        "background task results older than %(task_days)s days."
    ) % {
        "mails": after.get("mails", 0),
        "mail_days": after.get("mail_retention_days", "?"),
        "tasks": after.get("task_results", 0),
        "task_days": after.get("task_result_retention_days", "?"),
    }


def register() -> None:
    register_action("maintenance.pruned", gettext_lazy("By-products pruned"), _pruned)

"""Who may enter the newsroom pages (SOP role holders and admins) and who sees the whole unit
(whoever supervises a role in an active SOP)."""

from __future__ import annotations

from warta.accounts.access import member_required as staff_required
from warta.workflow.selectors import supervises_anyone

__all__ = ["sees_unit", "staff_required"]


def sees_unit(user) -> bool:
    return user.is_superuser or supervises_anyone(user)

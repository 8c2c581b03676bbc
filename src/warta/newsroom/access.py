"""Who may enter the newsroom pages (SOP role holders and admins) and who sees the whole unit
(the ``warta.view_unit`` permission of ``warta.policy``)."""

from __future__ import annotations

from warta.accounts.access import member_required as staff_required

__all__ = ["sees_unit", "staff_required"]


def sees_unit(user) -> bool:
    """``user.has_perm("warta.view_unit")``; kept until the newsroom views ask it directly."""
    return user.has_perm("warta.view_unit")

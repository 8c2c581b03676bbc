"""Who holds which role, right now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from warta.accounts.models import Role


@dataclass(frozen=True)
class Capacity:
    """The capacity in which a user acts in a role.

    ``acting_for`` is empty when the user holds the role themselves; for a Plh/Plt it is the
    label recorded with every action, e.g. ``Plh. Kabag Administrasi Umum``.
    ``principal_id`` is the user whose role a Plh/Plt holds (None when the delegation names no
    one): steps assigned to that user may be carried out by the acting person.
    """

    role_code: str
    acting_for: str = ""
    principal_id: int | None = None


def capacity_for(user: Any, role_code: str, *, at: dt.datetime | None = None) -> Capacity | None:
    """The capacity in which ``user`` may act as ``role_code`` at ``at``, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.groups.filter(role__code=role_code).exists():
        return Capacity(role_code=role_code)
    return None


def role_codes_of(user: Any) -> set[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return set(Role.objects.filter(group__user=user).values_list("code", flat=True))


def users_in_role(role_code: str):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__role__code=role_code)
        .order_by("username")
    )

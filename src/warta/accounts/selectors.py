"""Who holds which role, right now: by membership of the role's group, or as Plh/Plt."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from warta.accounts.models import Delegation, Role
from warta.worktime import zone


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


def local_date(at: dt.datetime | None = None) -> dt.date:
    """The date in Jakarta at ``at`` (default: now) — delegations run by these dates."""
    return zone.local_date(at or timezone.now())


def _is_active_user(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _in_force_on(day: dt.date, prefix: str = "") -> Q:
    return Q(
        **{
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}starts_on__lte": day,
            f"{prefix}ends_on__gte": day,
        }
    )


def capacity_for(user: Any, role_code: str, *, at: dt.datetime | None = None) -> Capacity | None:
    """The capacity in which ``user`` may act as ``role_code`` at ``at``, or None.

    A holder of the role acts in their own name; otherwise an unrevoked Plh/Plt delegation of
    the role to ``user`` covering the Jakarta date of ``at`` makes them act "as Plh./Plt.".
    """
    if not _is_active_user(user):
        return None
    if user.groups.filter(role__code=role_code).exists():
        return Capacity(role_code=role_code)
    delegation = (
        Delegation.objects.filter(_in_force_on(local_date(at)), acting=user, role__code=role_code)
        .select_related("role")
        .order_by("starts_on", "pk")
        .first()
    )
    if delegation is None:
        return None
    return Capacity(
        role_code=role_code,
        acting_for=delegation.acting_for_label(),
        principal_id=delegation.principal_id,
    )


def held_role_codes(user: Any) -> set[str]:
    """The roles ``user`` holds in their own name (no delegations)."""
    if not _is_active_user(user):
        return set()
    return set(Role.objects.filter(group__user=user).values_list("code", flat=True))


# Where ``remember_role_codes`` keeps a request's answer on its user object.
_REMEMBERED = "_warta_role_codes"


def role_codes_of(user: Any, at: dt.datetime | None = None) -> set[str]:
    """The roles ``user`` may act in at ``at``: held ones and those held as Plh/Plt."""
    if not _is_active_user(user):
        return set()
    day = local_date(at)
    remembered = getattr(user, _REMEMBERED, None)
    if remembered is not None and remembered[0] == day:
        return set(remembered[1])
    delegated = Q(delegations__acting=user) & _in_force_on(day, "delegations__")
    return set(
        Role.objects.filter(Q(group__user=user) | delegated)
        .values_list("code", flat=True)
        .distinct()
    )


def remember_role_codes(user: Any) -> set[str]:
    """``role_codes_of(user)``, kept on this user object so later calls for the same day ask
    the database no more. Only for the user object of one request (the sign-in middleware
    calls it): a role granted during that request shows from the next one."""
    codes = role_codes_of(user)
    if _is_active_user(user):
        setattr(user, _REMEMBERED, (local_date(), frozenset(codes)))
    return codes


def principals_of(user: Any, at: dt.datetime | None = None) -> set[int]:
    """Ids of the officials whose role ``user`` holds as Plh/Plt at ``at``."""
    if not _is_active_user(user):
        return set()
    return set(
        Delegation.objects.filter(
            _in_force_on(local_date(at)), acting=user, principal__isnull=False
        ).values_list("principal_id", flat=True)
    )


def active_delegations(
    at: dt.datetime | None = None, *, include_upcoming: bool = False
) -> QuerySet[Delegation]:
    """Unrevoked delegations in force at ``at`` (and, with ``include_upcoming``, those that
    start later), earliest first."""
    day = local_date(at)
    delegations = Delegation.objects.filter(revoked_at__isnull=True, ends_on__gte=day)
    if not include_upcoming:
        delegations = delegations.filter(starts_on__lte=day)
    return delegations.select_related("role", "acting", "principal", "appointed_by").order_by(
        "starts_on", "ends_on", "pk"
    )


def can_revoke(user: Any, delegation: Delegation) -> bool:
    """An administrator, the official replaced, or whoever appointed the delegation."""
    if not _is_active_user(user):
        return False
    return user.is_superuser or user.pk in (delegation.principal_id, delegation.appointed_by_id)


def users_in_role(role_code: str):
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__role__code=role_code)
        .order_by("username")
    )

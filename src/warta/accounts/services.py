"""Writes for roles, users and Plh/Plt delegations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from warta.accounts import selectors
from warta.accounts.models import Delegation, Role
from warta.audit.services import record_event
from warta.sop.definition import Role as SopRole


@transaction.atomic
def sync_roles(*, roles: Iterable[SopRole]) -> list[Role]:
    """Create or rename the Role (and its group) for each swimlane of an SOP definition."""
    synced = []
    for sop_role in roles:
        role = Role.objects.filter(code=sop_role.id).select_related("group").first()
        if role is None:
            group, _ = Group.objects.get_or_create(name=sop_role.name)
            role = Role.objects.create(code=sop_role.id, name=sop_role.name, group=group)
        elif role.name != sop_role.name:
            role.name = sop_role.name
            role.save(update_fields=["name"])
            if not Group.objects.filter(name=sop_role.name).exclude(pk=role.group_id).exists():
                role.group.name = sop_role.name
                role.group.save(update_fields=["name"])
        synced.append(role)
    return synced


def grant_role(*, user: Any, role_code: str) -> None:
    user.groups.add(Role.objects.get(code=role_code).group)


class DelegationError(Exception):
    """A delegation was refused; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _holds(user: Any, role: Role) -> bool:
    return user.groups.filter(pk=role.group_id).exists()


def validate_appointment(
    *,
    role: Role,
    acting: Any,
    principal: Any | None,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str,
    reason: str,
    appointed_by: Any,
) -> None:
    """Raise ``DelegationError`` unless the appointment may be made; writes nothing. Forms call
    it to show the error beside the input; ``appoint_delegation`` calls it again under a lock."""
    if kind not in Delegation.Kind.values:
        raise DelegationError(_("Choose Plh or Plt."))
    if not reason.strip():
        raise DelegationError(_("Give the reason, e.g. leave or official travel."))
    if ends_on < starts_on:
        raise DelegationError(_("The end date must not be before the start date."))
    if starts_on < selectors.local_date():
        raise DelegationError(_("A delegation cannot start in the past."))
    if not (appointed_by.is_superuser or (principal is not None and appointed_by == principal)):
        raise DelegationError(
            _("Only the official being replaced or an administrator may appoint a Plh/Plt.")
        )
    if principal is not None and acting == principal:
        raise DelegationError(_("The acting official cannot be the official being replaced."))
    if not acting.is_active:
        raise DelegationError(_("%(name)s is not an active user.") % {"name": _name(acting)})
    if _holds(acting, role):
        raise DelegationError(
            _("%(name)s already holds the role %(role)s.")
            % {"name": _name(acting), "role": role.name}
        )
    if principal is not None and not _holds(principal, role):
        raise DelegationError(
            _("%(name)s does not hold the role %(role)s.")
            % {"name": _name(principal), "role": role.name}
        )
    overlapping = Delegation.objects.filter(
        role=role, revoked_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    )
    clash = overlapping.filter(principal=principal).first()
    if clash is not None:
        raise DelegationError(
            _("%(role)s already has a Plh/Plt from %(start)s to %(end)s.")
            % {
                "role": role.name,
                "start": date_format(clash.starts_on, "j F Y"),
                "end": date_format(clash.ends_on, "j F Y"),
            }
        )
    if overlapping.filter(acting=acting).exists():
        # One delegation of a role per person at a time, so "as whose Plh" is never ambiguous.
        raise DelegationError(
            _("%(name)s is already Plh/Plt of %(role)s on some of these dates.")
            % {"name": _name(acting), "role": role.name}
        )


def _state(delegation: Delegation) -> dict:
    return {
        "role": delegation.role.code,
        "kind": delegation.kind,
        "acting": delegation.acting_id,
        "principal": delegation.principal_id,
        "starts_on": delegation.starts_on.isoformat(),
        "ends_on": delegation.ends_on.isoformat(),
        "revoked_at": delegation.revoked_at.isoformat() if delegation.revoked_at else None,
    }


@transaction.atomic
def appoint_delegation(
    *,
    role_code: str,
    acting: Any,
    principal: Any | None,
    starts_on: dt.date,
    ends_on: dt.date,
    kind: str,
    reason: str,
    appointed_by: Any,
    ip: str = "",
) -> Delegation:
    """Appoint ``acting`` as Plh/Plt of ``role_code`` for ``principal`` (None: a vacant post,
    administrators only) from ``starts_on`` to ``ends_on`` inclusive. Refusals raise
    ``DelegationError`` and change nothing."""
    # Locking the role serialises appointments to it, so two overlapping ones cannot both pass.
    role = Role.objects.select_for_update().filter(code=role_code).first()
    if role is None:
        raise DelegationError(_("Unknown role: %(code)s.") % {"code": role_code})
    reason = reason.strip()
    validate_appointment(
        role=role,
        acting=acting,
        principal=principal,
        starts_on=starts_on,
        ends_on=ends_on,
        kind=kind,
        reason=reason,
        appointed_by=appointed_by,
    )
    delegation = Delegation.objects.create(
        role=role,
        kind=kind,
        acting=acting,
        principal=principal,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        appointed_by=appointed_by,
        appointed_at=selectors.now(),
    )
    record_event(
        action="accounts.delegation_appointed",
        actor=appointed_by,
        object_type="accounts.delegation",
        object_id=delegation.pk,
        after=_state(delegation),
        note=reason,
        ip=ip,
    )
    return delegation


@transaction.atomic
def revoke_delegation(*, delegation_id: int, user: Any, ip: str = "") -> Delegation:
    """End a delegation at once (or cancel one not yet started). Allowed to an administrator,
    the official replaced, and whoever appointed it."""
    delegation = (
        Delegation.objects.select_for_update().select_related("role").filter(pk=delegation_id)
    ).first()
    if delegation is None:
        raise DelegationError(_("This delegation does not exist."))
    if not selectors.can_revoke(user, delegation):
        raise DelegationError(
            _(
                "Only the official replaced, whoever appointed the Plh/Plt or an administrator "
                "may revoke it."
            )
        )
    if delegation.revoked_at is not None:
        raise DelegationError(_("This delegation has already been revoked."))
    if delegation.ends_on < selectors.local_date():
        raise DelegationError(_("This delegation has already ended."))
    before = _state(delegation)
    delegation.revoked_at = selectors.now()
    delegation.revoked_by = user
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    record_event(
        action="accounts.delegation_revoked",
        actor=user,
        object_type="accounts.delegation",
        object_id=delegation.pk,
        before=before,
        after=_state(delegation),
        ip=ip,
    )
    return delegation

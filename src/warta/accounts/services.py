"""Writes for roles, users and Plh/Plt delegations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from warta.accounts import selectors
from warta.accounts.models import Delegation, Role
from warta.audit.services import record_event
from warta.audit.snapshots import snapshot
from warta.errors import WartaError
from warta.sop.definition import Role as SopRole


@transaction.atomic
def sync_roles(*, roles: Iterable[SopRole]) -> list[Role]:
    """Create or rename the Role (and its group) for each swimlane of an SOP definition."""
    synced = []
    for sop_role in roles:
        role = Role.objects.filter(code=sop_role.id).select_related("group").first()
        if role is None:
            group = _free_group(sop_role.name, sop_role.id)
            role = Role.objects.create(code=sop_role.id, name=sop_role.name, group=group)
        elif role.name != sop_role.name:
            role.name = sop_role.name
            role.save(update_fields=["name"])
            if not Group.objects.filter(name=sop_role.name).exclude(pk=role.group_id).exists():
                role.group.name = sop_role.name
                role.group.save(update_fields=["name"])
        synced.append(role)
    return synced


def _free_group(name: str, code: str) -> Group:
    """The group for a new role: the one named like it unless another role already owns that
    one (a revision renamed the role's id but kept its name), then one named "<name> (<code>)"."""
    group, _ = Group.objects.get_or_create(name=name)
    if not Role.objects.filter(group=group).exists():
        return group
    group, _ = Group.objects.get_or_create(name=f"{name} ({code})"[:150])
    return group


def grant_role(*, user: Any, role_code: str) -> None:
    user.groups.add(Role.objects.get(code=role_code).group)


class DelegationError(WartaError):
    """A delegation was refused; ``message`` says why, in the user's language."""

    code = "delegation-refused"


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
    return snapshot(
        delegation,
        ["kind", "acting", "principal", "starts_on", "ends_on", "revoked_at"],
        role=delegation.role.code,
    )


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
        appointed_at=timezone.now(),
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
    delegation.revoked_at = timezone.now()
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


# --- Sign-in, sign-out, passwords and the second factor ----------------------------------------
# Each writes one audit event with the client's address (``warta.accounts.client.client_ip``).


def _user_ref(user: Any) -> dict:
    return {"user": user.pk, "username": user.get_username()}


def _record_user_event(action: str, *, user: Any, ip: str, actor: Any = None, **details) -> None:
    """One audit event ``action`` (e.g. "accounts.signed_in") about ``user`` (done by ``actor``,
    else by the person themselves) with the client address and the details given."""
    record_event(
        action=action,
        actor=actor or user,
        object_type="auth.user",
        object_id=user.pk,
        after={**_user_ref(user), **details},
        ip=ip,
    )


@transaction.atomic
def record_sign_in(*, user: Any, ip: str, second_factor: str = "") -> None:
    """``second_factor``: "" (password only), "totp" or "recovery"."""
    _record_user_event("accounts.signed_in", user=user, ip=ip, second_factor=second_factor)


@transaction.atomic
def record_sign_in_failure(*, username: str, ip: str, locked_out: bool) -> None:
    """A wrong password (or an attempt refused by the lockout) for the name typed."""
    record_event(
        action="accounts.locked_out" if locked_out else "accounts.sign_in_failed",
        actor=None,
        object_type="auth.user",
        object_id=username[:100],
        after={"username": username, "locked_out": locked_out},
        ip=ip,
    )


@transaction.atomic
def record_second_factor_failure(*, user: Any, ip: str) -> None:
    _record_user_event("accounts.second_factor_failed", user=user, ip=ip)


@transaction.atomic
def record_second_factor_passed(*, user: Any, ip: str, second_factor: str) -> None:
    """A signed-in person confirmed with a code later (e.g. on first entering the admin)."""
    _record_user_event(
        "accounts.second_factor_passed", user=user, ip=ip, second_factor=second_factor
    )


@transaction.atomic
def record_sign_out(*, user: Any, ip: str, idle: bool = False) -> None:
    _record_user_event("accounts.signed_out", user=user, ip=ip, reason="idle" if idle else "user")


@transaction.atomic
def change_password(*, user: Any, new_password: str, ip: str) -> None:
    """The person's own change (the form checked the old one). Every other session of theirs
    ends: Django's session auth hash no longer matches; the view keeps the current one."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    _record_user_event("accounts.password_changed", user=user, ip=ip)


@transaction.atomic
def record_password_reset(*, user: Any, by: Any, ip: str) -> None:
    """An administrator set a new password for ``user`` (the assisted reset); any lockout of
    the account ends with it."""
    from axes.utils import reset

    reset(username=user.get_username())
    _record_user_event("accounts.password_reset", user=user, actor=by, ip=ip)


@transaction.atomic
def unlock_sign_in(*, username: str = "", address: str = "", by: Any, ip: str) -> int:
    """End the lockout of an account or an address; returns how many lock records went."""
    from axes.utils import reset

    count = 0
    if username:
        count += reset(username=username)
    if address:
        count += reset(ip=address)
    record_event(
        action="accounts.sign_in_unlocked",
        actor=by,
        object_type="auth.user",
        object_id=(username or address)[:100],
        after={"username": username, "address": address, "records": count},
        ip=ip,
    )
    return count


class SecondFactorError(WartaError):
    """A second-factor code or set-up was refused; ``message`` says why."""

    code = "second-factor-refused"


def _new_recovery_device(user: Any) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice

    from warta.accounts import otp

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=otp.RECOVERY_DEVICE_NAME, confirmed=True)
    codes = otp.new_recovery_codes()
    for code in codes:
        device.token_set.create(token=code)
    return codes


@transaction.atomic
def add_authenticator(*, user: Any, key: str, token: str, ip: str) -> tuple[Any, list[str]]:
    """Confirm the authenticator app set up with ``key`` by one of its codes; it replaces any
    earlier one, and a fresh set of recovery codes is made. Returns the device and the codes
    (shown once; only the device keeps them)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from warta.accounts import otp

    if not otp.valid_key(key):
        raise SecondFactorError(_("The set-up has expired. Scan the new QR code."))
    if not otp.key_accepts(key, token):
        raise SecondFactorError(
            _("That code is not right. Check the phone's clock and type the current code.")
        )
    replaced = TOTPDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name=otp.TOTP_DEVICE_NAME, key=key, confirmed=True
    )
    codes = _new_recovery_device(user)
    _record_user_event(
        "accounts.second_factor_added",
        user=user,
        ip=ip,
        replaced=replaced,
        recovery_codes=len(codes),
    )
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(*, user: Any, ip: str) -> list[str]:
    """New recovery codes; the old ones stop working."""
    from warta.accounts import otp

    if not otp.has_second_factor(user):
        raise SecondFactorError(_("Set up the authenticator app first."))
    codes = _new_recovery_device(user)
    _record_user_event(
        "accounts.recovery_codes_renewed", user=user, ip=ip, recovery_codes=len(codes)
    )
    return codes


@transaction.atomic
def remove_second_factor(*, user: Any, by: Any, ip: str) -> int:
    """An administrator removes a person's authenticator and recovery codes (a lost phone).
    If the second factor is required, the person sets up a new one at the next sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed, _detail = TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _record_user_event(
        "accounts.second_factor_removed", user=user, actor=by, ip=ip, devices=removed
    )
    return removed

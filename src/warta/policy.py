"""Who may do what: every permission a page, the admin or the API asks about, in one place.

Each question is a named permission answered through Django's permission API: a view asks
``request.user.has_perm("workflow.reassign_step", run)``, a template
``{% load rules %}{% has_perm "warta.view_unit" user as sees_unit %}``, the admin and the coming
API the same. The ``rules`` package's ``ObjectPermissionBackend`` (in ``AUTHENTICATION_BACKENDS``)
answers from the predicates declared here; the predicates only *call* the selectors that know the
facts (who holds which role, who supervises whom, who is a step's assignee). The services still
re-check every rule under the case lock: a permission decides what a page shows and which
requests a view refuses early, never whether a write is allowed.

Why here and not in ``accounts``: the questions span the apps — roles and Plh/Plt delegations
(accounts), steps and deviations (workflow), the unit's pages — and the predicates call the
engine's selectors. ``accounts`` sits below ``workflow`` (the engine imports it, not the other
way round), so a policy inside ``accounts`` would import upwards; this module sits above both and
is imported once, from ``warta.ui``'s ``AppConfig.ready()``.

**Administrators.** Django's ``User.has_perm`` answers True for an active superuser before any
backend is asked. That is right for *authority* (an administrator may see the unit, move a step,
revoke any Plh) and the predicates below say so explicitly too. It is wrong for *capacity*:
starting a case or acting on a step in a role (``workflow.start_case``,
``workflow.act_on_step``), explaining a deviation (``workflow.explain_deviation``) and reviewing
one (``workflow.review_deviation``, never one's own) depend on who the person is, not on admin
powers, and opening the admin needs ``is_staff`` even for a superuser (``warta.open_admin``).
For those, ask :func:`may` (in templates ``{% test_rule "…" user obj as … %}``): the same
predicate, without Django's shortcut. For every other permission ``may`` and ``user.has_perm``
give the same answer.

- ``warta.view_unit``: admins; holders (or Plh/Plt) of a role that supervises another.
- ``warta.open_admin``: active staff.
- ``workflow.start_case`` (SopVersion): holders (or Plh/Plt) of the role of its first step.
- ``workflow.act_on_step`` (StepRun): ``check_actor`` passes (role, assignee, separation).
- ``workflow.reassign_step`` (StepRun): an open step; admins, supervisors of its role.
- ``workflow.view_deviations``: the unit's list; as ``warta.view_unit``.
- ``workflow.view_deviations_of`` (User): oneself; as ``warta.view_unit``.
- ``workflow.view_deviation`` (Deviation): its executor, its reviewers, the unit's viewers.
- ``workflow.explain_deviation`` (Deviation): its executor, until it is acknowledged.
- ``workflow.review_deviation`` (Deviation): admins, supervisors of the step; not its executor.
- ``accounts.appoint_plh``: admins; whoever holds a role in their own name.
- ``accounts.appoint_plh_for_others``: admins (they name the official replaced).
- ``accounts.revoke_delegation`` (Delegation): admins, the official replaced, the appointer.
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from warta.accounts import selectors as accounts_selectors
from warta.accounts.models import Delegation
from warta.workflow.errors import WorkflowError
from warta.workflow.models import Deviation, StepRun
from warta.workflow.selectors import supervises, supervises_anyone
from warta.workflow.services import check_actor

__all__ = ["PERMISSIONS", "may"]


def may(user: Any, permission: str, obj: Any = None) -> bool:
    """The policy's answer for ``user``, without Django's "a superuser may do anything": for the
    capacity questions named in the module's docstring."""
    return rules.has_perm(permission, user, obj)


# --- predicates: each one fact, read through the selectors ----------------------------------


@rules.predicate
def is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


@rules.predicate
def is_active_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@rules.predicate
def supervises_a_role(user: Any) -> bool:
    """Holds (or acts as Plh/Plt in) a role that supervises another role of an active SOP."""
    return user.is_authenticated and supervises_anyone(user)


@rules.predicate
def holds_a_role(user: Any) -> bool:
    """Holds a role in their own name (a Plh/Plt does not appoint another)."""
    return bool(accounts_selectors.held_role_codes(user))


@rules.predicate
def is_self(user: Any, other: Any) -> bool:
    return other is not None and user.is_authenticated and other.pk == user.pk


@rules.predicate
def holds_first_role(user: Any, version: Any) -> bool:
    """Holds (or acts as Plh/Plt in) the role of the first step of the SOP version."""
    if version is None:
        return False
    definition = version.definition()
    return definition.step(definition.start).actor in accounts_selectors.role_codes_of(user)


@rules.predicate
def may_act_on_step(user: Any, run: StepRun) -> bool:
    """The engine's own check: the step and case are open, the user holds the step's role (or
    is Plh/Plt of its holder), the step is theirs or unassigned, separation of duties holds."""
    if run is None:
        return False
    try:
        check_actor(case=run.case, run=run, user=user)
    except WorkflowError:
        return False
    return True


@rules.predicate
def is_open_step(user: Any, run: StepRun) -> bool:
    return run is not None and run.is_open and run.case.is_open


@rules.predicate
def supervises_step(user: Any, run: StepRun) -> bool:
    """Holds (or acts in) a role above the step's role in the SOP's supervisor chain."""
    if run is None:
        return False
    return supervises(run.case.sop.definition(), user, run.role_id, timezone.now())


@rules.predicate
def supervises_deviation(user: Any, deviation: Deviation) -> bool:
    if deviation is None:
        return False
    return supervises_step(user, deviation.step_run)


@rules.predicate
def is_executor(user: Any, deviation: Deviation) -> bool:
    """The person the deviation is attributed to (the step's executor)."""
    return deviation is not None and user.is_authenticated and deviation.attributed_to_id == user.pk


@rules.predicate
def is_acknowledged(user: Any, deviation: Deviation) -> bool:
    return deviation is not None and deviation.review == Deviation.Review.ACKNOWLEDGED


@rules.predicate
def replaced_or_appointed(user: Any, delegation: Delegation) -> bool:
    return delegation is not None and accounts_selectors.can_revoke(user, delegation)


# --- permissions: one per question a page, the admin or the API asks --------------------------

sees_unit = is_admin | supervises_a_role
reviews_deviation = (is_admin | supervises_deviation) & ~is_executor

PERMISSIONS: dict[str, rules.Predicate] = {
    "warta.view_unit": sees_unit,
    "warta.open_admin": is_active_staff,
    "workflow.start_case": holds_first_role,
    "workflow.act_on_step": may_act_on_step,
    "workflow.reassign_step": is_open_step & (is_admin | supervises_step),
    "workflow.view_deviations": sees_unit,
    "workflow.view_deviations_of": is_self | sees_unit,
    "workflow.view_deviation": is_executor | reviews_deviation | sees_unit,
    "workflow.explain_deviation": is_executor & ~is_acknowledged,
    "workflow.review_deviation": reviews_deviation,
    "accounts.appoint_plh": is_admin | holds_a_role,
    "accounts.appoint_plh_for_others": is_admin,
    "accounts.revoke_delegation": replaced_or_appointed,
}

for _name, _predicate in PERMISSIONS.items():
    # ``user.has_perm`` and ``{% has_perm %}`` ask the permission set; ``{% test_rule %}`` the
    # rule set, with the same predicate (see "Administrators" above).
    rules.add_perm(_name, _predicate)
    rules.add_rule(_name, _predicate)

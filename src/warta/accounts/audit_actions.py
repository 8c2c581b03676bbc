"""The audit actions of accounts: Plh/Plt delegations, sign-in, passwords, the second factor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import data, lookup, person, register_action


def _date(value: Any) -> str:
    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except (TypeError, ValueError):
        return str(value or "")


def _role(code: str) -> str:
    from warta.accounts.models import Role

    role = lookup(("accounts.role", code), Role.objects.filter(code=code).only("name").first)
    return role.name if role is not None else code


def _kind(value: str) -> str:
    from warta.accounts.models import Delegation

    try:
        return str(Delegation.Kind(value).label)
    except ValueError:
        return value


def _delegation_appointed(event) -> str:
    principal = data(event, "principal")
    return _("%(acting)s is %(kind)s of %(role)s for %(principal)s, %(starts)s – %(ends)s.") % {
        "acting": person(data(event, "acting")),
        "kind": _kind(data(event, "kind")),
        "role": _role(data(event, "role")),
        "principal": person(principal) if principal else _("a vacant post"),
        "starts": _date(data(event, "starts_on")),
        "ends": _date(data(event, "ends_on")),
    }


def _delegation_revoked(event) -> str:
    return _("%(acting)s is no longer %(kind)s of %(role)s.") % {
        "acting": person(data(event, "acting")),
        "kind": _kind(data(event, "kind")),
        "role": _role(data(event, "role")),
    }


def _signed_in(event) -> str:
    second_factor = data(event, "second_factor", "")
    if second_factor == "totp":
        return _("%(username)s signed in with the authenticator app.") % event.after
    if second_factor == "recovery":
        return _("%(username)s signed in with a recovery code.") % event.after
    return _("%(username)s signed in with a password.") % event.after


def _about(text: Any):
    """A formatter filling ``%(username)s`` of a lazily translated ``text``."""
    return lambda event: str(text) % {"username": data(event, "username", event.object_id)}


def _signed_out(event) -> str:
    if data(event, "reason") == "idle":
        return _("%(username)s was signed out after being idle.") % event.after
    return _("%(username)s signed out.") % event.after


def _unlocked(event) -> str:
    who = " / ".join(part for part in (data(event, "username"), data(event, "address")) if part)
    return _("Sign-in lockout of %(who)s ended (%(records)s records).") % {
        "who": who,
        "records": data(event, "records", 0),
    }


def _second_factor_added(event) -> str:
    return _("%(username)s set up the authenticator app; %(codes)s new recovery codes.") % {
        "username": data(event, "username"),
        "codes": data(event, "recovery_codes", 0),
    }


def _recovery_codes_renewed(event) -> str:
    return _("%(username)s made %(codes)s new recovery codes.") % {
        "username": data(event, "username"),
        "codes": data(event, "recovery_codes", 0),
    }


def _second_factor_removed(event) -> str:
    return _("The authenticator of %(username)s was removed (%(devices)s devices).") % {
        "username": data(event, "username"),
        "devices": data(event, "devices", 0),
    }


ACTIONS = [
    ("accounts.delegation_appointed", gettext_lazy("Plh/Plt appointed"), _delegation_appointed),
    ("accounts.delegation_revoked", gettext_lazy("Plh/Plt revoked"), _delegation_revoked),
    ("accounts.signed_in", gettext_lazy("Signed in"), _signed_in),
    (
        "accounts.sign_in_failed",
        gettext_lazy("Sign-in failed"),
        _about(gettext_lazy("Wrong password for “%(username)s”.")),
    ),
    (
        "accounts.locked_out",
        gettext_lazy("Sign-in locked"),
        _about(gettext_lazy("Sign-in as “%(username)s” refused after too many failed attempts.")),
    ),
    (
        "accounts.second_factor_failed",
        gettext_lazy("Second-factor code refused"),
        _about(gettext_lazy("Wrong authenticator code for %(username)s.")),
    ),
    (
        "accounts.second_factor_passed",
        gettext_lazy("Second factor confirmed"),
        _about(gettext_lazy("%(username)s confirmed the second factor.")),
    ),
    ("accounts.signed_out", gettext_lazy("Signed out"), _signed_out),
    (
        "accounts.password_changed",
        gettext_lazy("Password changed"),
        _about(gettext_lazy("%(username)s changed their password.")),
    ),
    (
        "accounts.password_reset",
        gettext_lazy("Password reset"),
        _about(gettext_lazy("An administrator set a new password for %(username)s.")),
    ),
    ("accounts.sign_in_unlocked", gettext_lazy("Sign-in unlocked"), _unlocked),
    ("accounts.second_factor_added", gettext_lazy("Second factor set up"), _second_factor_added),
    (
        "accounts.recovery_codes_renewed",
        gettext_lazy("Recovery codes renewed"),
        _recovery_codes_renewed,
    ),
    (
        "accounts.second_factor_removed",
        gettext_lazy("Second factor removed"),
        _second_factor_removed,
    ),
]


def register() -> None:
    for code, label, formatter in ACTIONS:
        register_action(code, label, formatter)

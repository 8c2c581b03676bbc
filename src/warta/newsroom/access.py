"""Who may enter the newsroom pages: signed-in people holding a role of an SOP, or admins."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from warta.accounts.selectors import role_codes_of

SUPERVISOR_ROLES = frozenset({"kasubbag_umum_rt", "kabag_adm_umum"})


def is_newsroom_member(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(role_codes_of(user)))


def sees_unit(user) -> bool:
    return user.is_superuser or bool(role_codes_of(user) & SUPERVISOR_ROLES)


def staff_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_newsroom_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped

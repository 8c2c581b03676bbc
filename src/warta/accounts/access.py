"""Who may enter the staff pages: signed-in people holding a role of an SOP (their own or as
Plh/Plt), or admins."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from warta.accounts.selectors import remember_role_codes, role_codes_of


def is_member(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(role_codes_of(user)))


def member_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        # The request's user object keeps its roles for the rest of the request: the page's
        # permission checks (menu, actions, policy) ask them again several times.
        remember_role_codes(request.user)
        if not is_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped

"""Warta's admin site: Django's, for active staff whose session passed the second factor.

The admin has no sign-in form of its own: its login page sends people to Warta's sign-in (with
the lockout and the second factor), and a signed-in staff member whose session has not passed
the second factor is asked for a code (or to set the app up) first. Its password page is
Warta's own, so the change is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from warta.accounts import otp


class WartaAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        # ``may``, not ``has_perm``: the admin needs ``is_staff`` even from a superuser.
        from warta.policy import may

        return may(request.user, "warta.open_admin") and otp.is_verified(request.user)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        from warta.policy import may

        target = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if user.is_authenticated and may(user, "warta.open_admin"):
            if otp.is_verified(user):
                return redirect(target)
            step = "ui:second_factor" if otp.has_second_factor(user) else "ui:second_factor_setup"
            return redirect(f"{reverse(step)}?{urlencode({'next': target})}")
        if user.is_authenticated:
            raise PermissionDenied  # signed in, but not staff: sign-in would send them back here
        return redirect_to_login(target, reverse("ui:login"))

    def logout(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):
        from warta.accounts.signin import sign_out

        return sign_out(request)

    def password_change(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("ui:password_change")

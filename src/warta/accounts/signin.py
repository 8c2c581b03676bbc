"""Signing in and out, the second factor and the person's own security page.

Sign-in is two steps for whoever has (or must have) a second factor: the password step keeps
the person "pending" in the session without signing them in; the code step (or, the first time,
setting up the authenticator app) completes it. Nobody who must use a second factor gets a
session without one.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from warta.accounts import auth, otp, services
from warta.accounts.client import client_ip

PENDING_KEY = "warta_signin_pending"
SETUP_KEY_SESSION = "warta_totp_key"
CODES_SESSION = "warta_recovery_codes"
PENDING_SECONDS = 5 * 60


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


def _pending_user(request: HttpRequest) -> Any | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if timezone.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    return get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()


def _safe_next(request: HttpRequest, candidate: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _complete_sign_in(request: HttpRequest, user: Any, device: Any | None, method: str) -> str:
    """Sign ``user`` in (with ``device`` as the verified second factor); returns where to go."""
    pending = request.session.pop(PENDING_KEY, {}) or {}
    backend = pending.get("backend") or settings.AUTHENTICATION_BACKENDS[-1]
    auth_login(request, user, backend=backend)
    if device is not None:
        django_otp.login(request, device)
    services.record_sign_in(user=user, ip=client_ip(request), second_factor=method)
    return _safe_next(request, pending.get("next", ""))


class SignInView(LoginView):
    template_name = "ui/login.html"
    redirect_authenticated_user = True
    form_class = AuthenticationForm
    http_method_names = ["get", "head", "post"]

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not (otp.has_second_factor(user) or otp.second_factor_required(user)):
            auth_login(self.request, user)
            services.record_sign_in(user=user, ip=client_ip(self.request))
            return redirect(self.get_success_url())
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_redirect_url(),
            "at": timezone.now().timestamp(),
        }
        if otp.has_second_factor(user):
            return redirect("ui:second_factor")
        return redirect("ui:second_factor_setup")

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        request = self.request
        locked = bool(getattr(request, "axes_locked_out", False))
        username = auth.credentials_username(request.POST)
        if username:
            services.record_sign_in_failure(
                username=username, ip=client_ip(request), locked_out=locked
            )
        if locked:
            form.errors.pop("__all__", None)
            form.add_error(None, auth.lockout_message())
        response = self.render_to_response(self.get_context_data(form=form))
        if locked:
            response.status_code = 429
            response.shows_lockout = True
        return response


@require_http_methods(["GET", "HEAD", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """The code step: a pending sign-in, or a signed-in person confirming before the admin."""
    step_up = request.user.is_authenticated
    user = request.user if step_up else _pending_user(request)
    if user is None:
        return redirect("ui:login")
    if not otp.has_second_factor(user):
        return redirect("ui:second_factor_setup")
    if step_up and otp.is_verified(user):
        return redirect(_safe_next(request, request.GET.get("next", "")))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        token = otp.normalise_token(form.cleaned_data["token"])
        device, method = _matching_device(user, token)
        if device is not None:
            if method == "recovery":
                left = otp.recovery_codes_left(user)
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)d are left. "
                        "Make new ones on the security page."
                    )
                    % {"left": left},
                )
            if step_up:
                django_otp.login(request, device)
                services.record_second_factor_passed(
                    user=user, ip=client_ip(request), second_factor=method
                )
                return redirect(_safe_next(request, request.GET.get("next", "")))
            return redirect(_complete_sign_in(request, user, device, method))
        services.record_second_factor_failure(user=user, ip=client_ip(request))
        form.add_error(
            "token",
            _("That code is not right, or it was used already. Wait for a new one and retry."),
        )
        status = 400
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "step_up": step_up, "person": user},
        status=status,
    )


def _matching_device(user: Any, token: str) -> tuple[Any | None, str]:
    if token.isdigit() and len(token) == 6:
        device = otp.totp_device_of(user)
        method = "totp"
    else:
        device = otp.recovery_device_of(user)
        method = "recovery"
    if device is None:
        return None, ""
    verified = django_otp.verify_token(user, device.persistent_id, token)
    return (verified, method) if verified is not None else (None, "")


@require_http_methods(["GET", "HEAD", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: QR code and the secret as text, confirmed with a code."""
    signed_in = request.user.is_authenticated
    user = request.user if signed_in else _pending_user(request)
    if user is None:
        return redirect("ui:login")
    if signed_in and otp.has_second_factor(user) and not otp.is_verified(user):
        # Replacing a device needs the current one first.
        return redirect(f"{reverse('ui:second_factor')}?next={reverse('ui:second_factor_setup')}")
    if not signed_in and otp.has_second_factor(user):
        return redirect("ui:second_factor")
    key = request.session.get(SETUP_KEY_SESSION)
    if not otp.valid_key(key):
        key = otp.new_key()
        request.session[SETUP_KEY_SESSION] = key
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device, codes = services.add_authenticator(
                    user=user, key=key, token=form.cleaned_data["token"], ip=client_ip(request)
                )
            except services.SecondFactorError as error:
                form.add_error("token", error.message)
            else:
                request.session.pop(SETUP_KEY_SESSION, None)
                if signed_in:
                    django_otp.login(request, device)
                    wanted = request.GET.get("next", "")
                    target = _safe_next(request, wanted) if wanted else reverse("ui:security")
                else:
                    target = _complete_sign_in(request, user, device, "totp")
                request.session[CODES_SESSION] = {"codes": codes, "next": target}
                messages.success(request, _("The authenticator app is set up."))
                return redirect("ui:recovery_codes")
    uri = otp.provisioning_uri(user, key)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr_svg": otp.qr_svg(uri),
            "secret": otp.base32_secret(key),
            "required": otp.second_factor_required(user),
            "person": user,
            "pending": not signed_in,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows new recovery codes once (GET after they were made), or makes new ones (POST)."""
    if request.method == "POST":
        if not otp.is_verified(request.user):
            return redirect(f"{reverse('ui:second_factor')}?next={reverse('ui:security')}")
        try:
            codes = services.regenerate_recovery_codes(user=request.user, ip=client_ip(request))
        except services.SecondFactorError as error:
            messages.error(request, error.message)
            return redirect("ui:security")
        request.session[CODES_SESSION] = {"codes": codes, "next": reverse("ui:security")}
        return redirect("ui:recovery_codes")
    shown = request.session.pop(CODES_SESSION, None)
    if not isinstance(shown, dict):
        return redirect("ui:security")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": shown.get("codes", []), "next": shown.get("next") or reverse("ui:security")},
    )


@require_safe
@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.html",
        {
            "has_second_factor": otp.has_second_factor(user),
            "required": otp.second_factor_required(user),
            "verified": otp.is_verified(user),
            "codes_left": otp.recovery_codes_left(user),
            "idle_minutes": settings.WARTA_SESSION_IDLE_MINUTES,
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            services.change_password(
                user=request.user,
                new_password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
            update_session_auth_hash(request, request.user)  # this session stays signed in
            messages.success(
                request,
                _("Your password is changed. Every other place you were signed in is signed out."),
            )
            return redirect("ui:security")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.record_sign_out(user=request.user, ip=client_ip(request))
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)

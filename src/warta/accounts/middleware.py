"""Idle sign-out for shared office computers, the admin's network limit, and the second factor
on every request for whoever must use one."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from warta.accounts import otp, services
from warta.accounts.client import client_ip, in_networks, parse_networks
from warta.accounts.selectors import remember_role_codes

ACTIVITY_KEY = "warta_last_activity"
# Writing the session on every request costs a database write; a minute's precision is enough.
ACTIVITY_RESOLUTION_SECONDS = 60
# Reachable without the second factor by whoever must use one: the pages that give it, signing
# out, and the language switch (static files are matched by their URL prefix).
SECOND_FACTOR_FREE_VIEWS = frozenset(
    {"ui:second_factor", "ui:second_factor_setup", "ui:logout", "set_language"}
)


def mark_signed_in(sender: object, request: HttpRequest, user: object, **kwargs: object) -> None:
    """Signing in is activity (connected to ``user_logged_in`` in the app config)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[ACTIVITY_KEY] = timezone.now().timestamp()


def admin_prefix() -> str:
    try:
        return reverse("admin:index")
    except NoReverseMatch:  # pragma: no cover - an URLconf without the admin
        return "\0"


class SignInSecurityMiddleware:
    """After ``AuthenticationMiddleware`` and ``MessageMiddleware``.

    * The admin (every URL under it, its sign-in page too) answers only to clients in
      ``WARTA_ADMIN_NETWORKS`` when that is set; others get a 403 page saying why.
    * A signed-in person idle for ``WARTA_SESSION_IDLE_MINUTES`` is signed out on their next
      request, with a message. Requests to ``WARTA_SESSION_PASSIVE_VIEWS`` (the notification
      bell's poll) are not activity; everything else, the editor's autosave included, is.
    * A signed-in person who must use a second factor (``otp.second_factor_required``) and whose
      session has not passed it is sent to the code page — or to set the app up when they have
      none — from every view but those in ``SECOND_FACTOR_FREE_VIEWS``. The rule is read on
      every request, so it also reaches sessions that began before it applied to the person (a
      role added to ``WARTA_OTP_REQUIRED_ROLES``, a new Plh, someone made staff). Scripts'
      requests (``X-Requested-With`` or JSON wanted) get a JSON 403 instead of a redirect, so
      the editor's autosave keeps its local copy and says why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        networks = settings.WARTA_ADMIN_NETWORKS
        if (
            networks
            and request.path_info.startswith(admin_prefix())
            and not in_networks(client_ip(request), parse_networks(networks))
        ):
            return render(request, "accounts/admin_network.html", status=403)
        now = timezone.now().timestamp()
        if request.user.is_authenticated:
            last = request.session.get(ACTIVITY_KEY)
            idle = settings.WARTA_SESSION_IDLE_MINUTES * 60
            if isinstance(last, (int, float)) and idle > 0 and now - last > idle:
                services.record_sign_out(user=request.user, ip=client_ip(request), idle=True)
                logout(request)
                messages.info(request, _("You were signed out automatically after inactivity."))
        response = self.get_response(request)
        if request.user.is_authenticated and not self._passive(request):
            last = request.session.get(ACTIVITY_KEY)
            if not isinstance(last, (int, float)) or now - last >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[ACTIVITY_KEY] = now
        return response

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: tuple, view_kwargs: dict
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or self._second_factor_free(request):
            return None
        if not (user.is_staff or user.is_superuser):
            if not settings.WARTA_OTP_REQUIRED_ROLES:
                return None  # nobody else must: no query at all
            remember_role_codes(user)  # one query, reused by the view's own role checks
        if not otp.second_factor_required(user) or otp.is_verified(user):
            return None
        message = _("Confirm your sign-in with the second factor to continue.")
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "error": message, "code": "second-factor"}, status=403
            )
        step = "ui:second_factor" if otp.has_second_factor(user) else "ui:second_factor_setup"
        target = reverse(step)
        back = _back_to(request)
        if back:
            target = f"{target}?{urlencode({'next': back})}"
        messages.info(request, message)
        return HttpResponseRedirect(target)

    @staticmethod
    def _second_factor_free(request: HttpRequest) -> bool:
        if request.path_info.startswith(settings.STATIC_URL or "/static/"):
            return True
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in SECOND_FACTOR_FREE_VIEWS

    @staticmethod
    def _passive(request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in settings.WARTA_SESSION_PASSIVE_VIEWS


def _wants_json(request: HttpRequest) -> bool:
    return "HTTP_X_REQUESTED_WITH" in request.META or "application/json" in request.headers.get(
        "Accept", ""
    )


def _back_to(request: HttpRequest) -> str:
    """Where to return after the second factor: the page asked for, or — for a form sent with
    POST — the page the form was on."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return ""

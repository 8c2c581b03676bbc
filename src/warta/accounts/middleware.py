"""Idle sign-out for shared office computers, and the admin's network limit."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warta.accounts import services
from warta.accounts.client import client_ip, in_networks, parse_networks

ACTIVITY_KEY = "warta_last_activity"
# Writing the session on every request costs a database write; a minute's precision is enough.
ACTIVITY_RESOLUTION_SECONDS = 60


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

    @staticmethod
    def _passive(request: HttpRequest) -> bool:
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in settings.WARTA_SESSION_PASSIVE_VIEWS

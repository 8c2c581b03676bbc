"""Sign-in throttling with django-axes: separate limits per account and per address, and the
Indonesian lockout message on the sign-in page."""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_parameters, get_client_username
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext


def lockout_minutes() -> int:
    return max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))


def lockout_message() -> str:
    minutes = lockout_minutes()
    return ngettext(
        "Too many failed sign-in attempts. Sign-in for this account or from this address is "
        "locked for %(minutes)d minute. Try again later, or ask the administrator to unlock it.",
        "Too many failed sign-in attempts. Sign-in for this account or from this address is "
        "locked for %(minutes)d minutes. Try again later, or ask the administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


class SignInAttemptHandler(AxesDatabaseHandler):
    """Axes compares every lockout parameter with one limit. An office behind one address would
    lock everyone out after a few typos, so failures from an address are scaled to
    ``WARTA_LOGIN_ADDRESS_FAILURE_LIMIT`` while those of an account keep ``AXES_FAILURE_LIMIT``
    (the count returned reaches the account limit exactly when the address count reaches its
    own)."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        account_limit = int(settings.AXES_FAILURE_LIMIT)
        address_limit = max(1, int(settings.WARTA_LOGIN_ADDRESS_FAILURE_LIMIT))
        filters = get_client_parameters(
            get_client_username(request, credentials),
            request.axes_ip_address,
            request.axes_user_agent,
            request,
            credentials,
        )
        scaled = [0]
        for parameters, attempts in zip(
            filters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if set(parameters) == {"ip_address"}:
                failures = failures * account_limit // address_limit
            scaled.append(failures)
        return max(scaled)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """Axes' lockout page. The sign-in view already shows the message beside its form (and
    keeps the name typed), so its own response is kept; anything else gets a short page."""
    if original_response is not None and getattr(original_response, "shows_lockout", False):
        return original_response
    return render(request, "accounts/locked_out.html", {"message": lockout_message()}, status=429)


def credentials_username(data: Any) -> str:
    """The user name typed on the sign-in form, cut to a sane length for the audit trail."""
    value = data.get("username", "") if hasattr(data, "get") else ""
    # NUL cannot be stored in a PostgreSQL text column; nobody's name contains one.
    return str(value).replace("\x00", "").strip()[:150]

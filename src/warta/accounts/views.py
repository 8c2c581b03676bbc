"""The Plh/Plt page. Thin: the form checks types, the services decide, the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from warta.accounts import selectors, services
from warta.accounts.access import member_required
from warta.accounts.client import client_ip
from warta.accounts.forms import AppointForm
from warta.accounts.models import Delegation


@require_http_methods(["GET", "HEAD", "POST"])
@member_required
def delegations(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_appoint = user.has_perm("accounts.appoint_plh")
    form = AppointForm(request.POST or None, user=user) if may_appoint else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                delegation = services.appoint_delegation(
                    role_code=data["role"].code,
                    acting=data["acting"],
                    principal=data["principal"]
                    if user.has_perm("accounts.appoint_plh_for_others")
                    else user,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    kind=data["kind"],
                    reason=data["reason"],
                    appointed_by=user,
                    ip=client_ip(request),
                )
            except services.DelegationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s is %(label)s from %(start)s to %(end)s.")
                    % {
                        "name": delegation.acting.get_full_name() or delegation.acting.username,
                        "label": delegation.acting_for_label(),
                        "start": date_format(delegation.starts_on, "j F Y"),
                        "end": date_format(delegation.ends_on, "j F Y"),
                    },
                )
                return redirect("accounts:delegations")
        status = 400
    today = selectors.local_date()
    rows = list(selectors.active_delegations(include_upcoming=True))
    for delegation in rows:
        delegation.is_current = delegation.starts_on <= today
        delegation.revocable = user.has_perm("accounts.revoke_delegation", delegation)
    return render(
        request,
        "accounts/delegations.html",
        {"delegations": rows, "form": form},
        status=status,
    )


@require_POST
@member_required
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = Delegation.objects.filter(pk=pk).first()
    if delegation is not None and not request.user.has_perm(
        "accounts.revoke_delegation", delegation
    ):
        # The policy says no before the service is asked; the words are the service's.
        messages.error(
            request,
            _(
                "Only the official replaced, whoever appointed the Plh/Plt or an administrator "
                "may revoke it."
            ),
        )
        return redirect("accounts:delegations")
    try:
        delegation = services.revoke_delegation(
            delegation_id=pk, user=request.user, ip=client_ip(request)
        )
    except services.DelegationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(label)s revoked.") % {"label": delegation.acting_for_label()}
        )
    return redirect("accounts:delegations")

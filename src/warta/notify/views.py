"""Notification pages. Thin: services change, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from warta.notify import selectors, services
from warta.notify.forms import PreferencesForm
from warta.notify.models import Notification

#: Notifications listed per page.
PAGE_SIZE = 50


@require_safe
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/list.html",
        {
            "notifications": page.object_list,
            "page_obj": page,
            "unread": selectors.unread_count(request.user),
        },
    )


@never_cache
@require_safe
@login_required
def unread(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"unread": selectors.unread_count(request.user)})


@require_POST
@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.mark_read(user=request.user, ids=[notification.pk])
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notify:list")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:list")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial_modes=current)
    if request.method == "POST" and form.is_valid():
        for kind, mode in form.cleaned_data.items():
            services.set_preference(user=request.user, kind=kind, mode=mode)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notify:preferences")
    return render(
        request,
        "notify/preferences.html",
        {"form": form, "has_email": bool(request.user.email)},
    )

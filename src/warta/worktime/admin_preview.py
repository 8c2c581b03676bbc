"""The calendar admin's preview: when would a step started at a given instant be due, and how
the coming days resolve (working hours, holidays, days off, special periods)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from warta.sop.durations import parse_duration
from warta.worktime.config import get_calendar
from warta.worktime.zone import localtime

DAYS_SHOWN = 21


class PreviewForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Step starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    duration = forms.CharField(
        label=_("Time standard"), initial="30m", help_text=_("e.g. 30m, 2h, 1h30m, 1d")
    )

    def clean_duration(self):
        try:
            return parse_duration(self.cleaned_data["duration"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def preview_view(request: HttpRequest) -> HttpResponse:
    now = localtime(timezone.now())
    form = PreviewForm(
        request.GET or None,
        initial={"start": now.replace(second=0, microsecond=0), "duration": "30m"},
    )
    calendar = get_calendar()
    due = None
    if form.is_valid():
        due = calendar.add(form.cleaned_data["start"], form.cleaned_data["duration"])
    first = (form.cleaned_data["start"] if due else now).date() if form.is_bound else now.date()
    days = [calendar.describe(first + dt.timedelta(days=n)) for n in range(DAYS_SHOWN)]
    context = {
        **admin.site.each_context(request),
        "title": _("Calendar preview"),
        "form": form,
        "due": due,
        "days": days,
    }
    return TemplateResponse(request, "admin/worktime/calendar_preview.html", context)

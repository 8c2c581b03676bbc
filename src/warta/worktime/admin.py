"""Admin pages for the working calendar: weekday hours, special periods, holiday overrides.

Every change made here writes an audit event (``worktime.calendar_changed``) in the same
transaction as the change, because the calendar decides every step's due time.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from warta.accounts.client import client_ip
from warta.sop.durations import format_duration
from warta.worktime.calendar import DEFAULT_WEEK, RAMADAN_WEEK, NationalHolidays
from warta.worktime.config import CALENDAR_CHANGED, set_special_period_hours, snapshot
from warta.worktime.models import (
    HolidayOverride,
    SpecialPeriod,
    SpecialPeriodHours,
    Weekday,
    WeekdayHours,
)

_NATIONAL = NationalHolidays()


def _record(request, obj: Any, *, before: dict | None, after: dict | None, note: str) -> None:
    from warta.audit.services import record_event

    record_event(
        action=CALENDAR_CHANGED,
        actor=request.user,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        before=before,
        after=after,
        note=note,
        ip=client_ip(request),
    )


class AuditedCalendarAdmin(admin.ModelAdmin):
    """Records every add, change and deletion (including inline rows) as an audit event."""

    def save_model(self, request, obj, form, change):
        before = None
        if change:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(old) if old is not None else None
        super().save_model(request, obj, form, change)
        _record(request, obj, before=before, after=snapshot(obj), note="admin")

    def delete_model(self, request, obj):
        _record(request, obj, before=snapshot(obj), after=None, note="admin: deleted")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            _record(request, obj, before=snapshot(obj), after=None, note="admin: deleted")
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        model = formset.model
        before = {
            old.pk: snapshot(old)
            for old in model._default_manager.filter(
                pk__in=[f.instance.pk for f in formset.forms if f.instance.pk]
            )
        }
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            _record(request, obj, before=None, after=snapshot(obj), note="admin")
        for obj, _fields in formset.changed_objects:
            _record(request, obj, before=before.get(obj.pk), after=snapshot(obj), note="admin")
        for obj in formset.deleted_objects:
            deleted = before.get(obj.pk) or snapshot(obj)
            _record(request, obj, before=deleted, after=None, note="admin: deleted")


def _working_time(obj) -> str:
    hours = obj.as_day_hours()
    return format_duration(hours.working_time) if hours is not None else "–"


@admin.register(WeekdayHours)
class WeekdayHoursAdmin(AuditedCalendarAdmin):
    list_display = ["weekday", "is_working", "hours", "working_time"]
    list_display_links = ["weekday"]
    ordering = ["weekday"]
    fields = ["weekday", "is_working", ("start", "end"), ("break_start", "break_end")]

    change_list_template = "admin/worktime/weekdayhours_change_list.html"

    def get_urls(self):
        from django.urls import path

        from warta.worktime.admin_preview import preview_view

        return [
            path(
                "preview/",
                self.admin_site.admin_view(preview_view),
                name="worktime_calendar_preview",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("hours"))
    def hours(self, obj: WeekdayHours) -> str:
        return obj.hours_display()

    @admin.display(description=_("working time"))
    def working_time(self, obj: WeekdayHours) -> str:
        return _working_time(obj)


class SpecialPeriodHoursInline(admin.TabularInline):
    model = SpecialPeriodHours
    extra = 0
    max_num = 7
    ordering = ["weekday"]
    fields = ["weekday", "is_working", "start", "end", "break_start", "break_end"]

    def get_extra(self, request, obj=None, **kwargs):
        existing = obj.hours.count() if obj is not None else 0
        return max(0, 5 - existing)


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(AuditedCalendarAdmin):
    list_display = ["name", "start_date", "end_date", "weekly_working_time"]
    date_hierarchy = "start_date"
    search_fields = ["name"]
    inlines = [SpecialPeriodHoursInline]
    actions = ["apply_ramadan_preset"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("hours")

    @admin.display(description=_("working time per week"))
    def weekly_working_time(self, obj: SpecialPeriod) -> str:
        rows = {row.weekday: row for row in obj.hours.all()}
        regular = {row.weekday: row for row in WeekdayHours.objects.all()}

        total = None
        for weekday, default in enumerate(DEFAULT_WEEK):
            row = rows.get(weekday) or regular.get(weekday)
            hours = row.as_day_hours() if row is not None else default
            if hours is not None:
                total = hours.working_time if total is None else total + hours.working_time
        return format_duration(total) if total is not None else "–"

    @admin.action(
        description=_("Set the Ramadan hours preset (Mon–Thu 08:00–15:00, Fri 08:00–15:30)")
    )
    def apply_ramadan_preset(self, request, queryset):
        for period in queryset:
            set_special_period_hours(actor=request.user, period=period, week=RAMADAN_WEEK)
        self.message_user(
            request,
            _("Ramadan hours set for %(count)d period(s).") % {"count": queryset.count()},
            messages.SUCCESS,
        )


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(AuditedCalendarAdmin):
    list_display = ["date", "weekday", "kind", "description", "national_holiday"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["description"]

    @admin.display(description=_("day"), ordering="date")
    def weekday(self, obj: HolidayOverride) -> str:
        return Weekday(obj.date.weekday()).label

    @admin.display(description=_("national holiday"))
    def national_holiday(self, obj: HolidayOverride) -> str:
        return _NATIONAL.name(obj.date) or "–"

"""The working calendar's configuration, edited by the admin; see docs/calendar.md.

The rules live in :mod:`warta.worktime.calendar`; :mod:`warta.worktime.config` turns these rows
into a :class:`~warta.worktime.calendar.WorkCalendar`. A weekday without a row keeps its
Perpres 21/2023 default hours, so an empty configuration is the default calendar.

The tables and their constraints keep the ``workflow_`` names they were created with when the
calendar lived in the engine (the models moved here without touching the database).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from warta.worktime.calendar import DayHours

__all__ = ["HolidayOverride", "SpecialPeriod", "SpecialPeriodHours", "Weekday", "WeekdayHours"]


class Weekday(models.IntegerChoices):
    """Python's numbering: Monday is 0."""

    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def _hhmm(value: dt.time | None) -> str:
    return value.strftime("%H:%M") if value else "?"


class WorkingHours(models.Model):
    """One day's working hours: ``start``–``end`` minus an optional break.

    Invariant (checked by :meth:`clean` and by database constraints): on a working day
    ``start < end``, and either no break or ``start < break_start < break_end < end``.
    The times of a non-working day are ignored.
    """

    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    is_working = models.BooleanField(
        _("working day"),
        default=True,
        help_text=_("Untick for a day off; the times are then ignored."),
    )
    start = models.TimeField(
        _("start"), null=True, blank=True, help_text=_("When work starts, e.g. 07:30 (WIB).")
    )
    end = models.TimeField(
        _("end"), null=True, blank=True, help_text=_("When work ends, e.g. 16:00 (WIB).")
    )
    break_start = models.TimeField(
        _("break start"),
        null=True,
        blank=True,
        help_text=_("Leave both break fields empty for a day without a break."),
    )
    break_end = models.TimeField(_("break end"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(is_working=False)
                | Q(start__isnull=False, end__isnull=False, start__lt=F("end")),
                name="workflow_%(class)s_start_before_end",
                violation_error_message=_("A working day needs a start before its end."),
            ),
            models.CheckConstraint(
                condition=Q(is_working=False)
                | Q(break_start__isnull=True, break_end__isnull=True)
                | Q(
                    break_start__isnull=False,
                    break_end__isnull=False,
                    start__lt=F("break_start"),
                    break_start__lt=F("break_end"),
                    break_end__lt=F("end"),
                ),
                name="workflow_%(class)s_break_inside_hours",
                violation_error_message=_(
                    "The break must lie inside working hours: "
                    "start < break start < break end < end."
                ),
            ),
        ]

    def clean(self) -> None:
        super().clean()
        if not self.is_working:
            return
        errors: dict[str, ValidationError] = {}
        if self.start is None:
            errors["start"] = ValidationError(_("Enter when work starts."), code="required")
        if self.end is None:
            errors["end"] = ValidationError(_("Enter when work ends."), code="required")
        if errors:
            raise ValidationError(errors)
        if not self.start < self.end:
            raise ValidationError(
                {"end": ValidationError(_("The end must be later than the start."), code="order")}
            )
        if (self.break_start is None) != (self.break_end is None):
            field = "break_end" if self.break_end is None else "break_start"
            raise ValidationError(
                {
                    field: ValidationError(
                        _("Enter both the start and the end of the break, or neither."),
                        code="break_incomplete",
                    )
                }
            )
        if self.break_start is not None and not (
            self.start < self.break_start < self.break_end < self.end
        ):
            raise ValidationError(
                {
                    "break_start": ValidationError(
                        _(
                            "The break must lie inside working hours: "
                            "start < break start < break end < end."
                        ),
                        code="break_order",
                    )
                }
            )

    def as_day_hours(self) -> DayHours | None:
        """These hours for the calendar logic; ``None`` for a day off."""
        if not self.is_working:
            return None
        return DayHours(self.start, self.end, self.break_start, self.break_end)

    def hours_display(self) -> str:
        if not self.is_working:
            return str(_("day off"))
        text = f"{_hhmm(self.start)}–{_hhmm(self.end)}"
        if self.break_start or self.break_end:
            text += " " + str(
                _("(break %(start)s–%(end)s)")
                % {"start": _hhmm(self.break_start), "end": _hhmm(self.break_end)}
            )
        return text


class WeekdayHours(WorkingHours):
    """The regular working hours of one weekday."""

    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices, unique=True)

    class Meta(WorkingHours.Meta):
        db_table = "workflow_weekdayhours"
        ordering = ["weekday"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}: {self.hours_display()}"


class SpecialPeriod(models.Model):
    """A date range with its own working hours, e.g. Ramadan (set by the admin every year)."""

    name = models.CharField(_("name"), max_length=100, help_text=_("E.g. “Ramadan 1448 H”."))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"), help_text=_("Inclusive."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "workflow_specialperiod"
        ordering = ["-start_date"]
        verbose_name = _("special working-hours period")
        verbose_name_plural = _("special working-hours periods")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")),
                name="workflow_specialperiod_start_before_end",
                violation_error_message=_("The last day must not be before the first day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%d-%m-%Y} – {self.end_date:%d-%m-%Y})"

    def clean(self) -> None:
        super().clean()
        if self.start_date is None or self.end_date is None:
            return
        if self.end_date < self.start_date:
            raise ValidationError(
                {
                    "end_date": ValidationError(
                        _("The last day must not be before the first day."), code="order"
                    )
                }
            )
        overlapping = (
            SpecialPeriod.objects.filter(
                start_date__lte=self.end_date, end_date__gte=self.start_date
            )
            .exclude(pk=self.pk)
            .first()
        )
        if overlapping is not None:
            raise ValidationError(
                _("This period overlaps “%(other)s”; special periods must not overlap."),
                code="overlap",
                params={"other": str(overlapping)},
            )


class SpecialPeriodHours(WorkingHours):
    """The working hours of one weekday during a special period.

    A weekday without a row keeps its regular hours during the period.
    """

    period = models.ForeignKey(
        SpecialPeriod,
        verbose_name=_("special period"),
        on_delete=models.CASCADE,
        related_name="hours",
    )

    class Meta(WorkingHours.Meta):
        db_table = "workflow_specialperiodhours"
        ordering = ["period", "weekday"]
        verbose_name = _("special working hours")
        verbose_name_plural = _("special working hours")
        constraints = [
            *WorkingHours.Meta.constraints,
            models.UniqueConstraint(
                fields=["period", "weekday"], name="workflow_specialperiodhours_one_per_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period.name}, {self.get_weekday_display()}: {self.hours_display()}"


class HolidayOverride(models.Model):
    """A change to the national holiday list for one date."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("day off (added)")
        WORKING_DAY = "working_day", _("working day (removed from the holiday list)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=Kind.choices,
        help_text=_(
            "“Day off” adds a local day off. “Working day” makes the date a working day even "
            "if it is a national holiday, cuti bersama or a weekend; a weekend day then uses "
            "the hours of the first working weekday (normally Monday)."
        ),
    )
    description = models.CharField(
        _("description"), max_length=200, help_text=_("E.g. “Hari jadi kabupaten”.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "workflow_holidayoverride"
        ordering = ["-date"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y}: {self.get_kind_display()} — {self.description}"

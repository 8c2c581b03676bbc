"""Scheduled checks of a step against its time standard: reminders, the late flag, escalation.

One row per (step run, kind, ordinal) is created when the step starts, and a task is enqueued
with ``run_after`` = ``fire_at``. The task fires the row at most once (row lock + ``state``);
a step finished before then leaves the row ``skipped``. Nothing polls.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from warta.workflow.models.cases import StepRun

__all__ = ["StepAlert"]


class StepAlert(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", _("reminder")
        LATE = "late", _("late")
        ESCALATION = "escalation", _("escalation")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        FIRED = "fired", _("fired")
        SKIPPED = "skipped", _("skipped (step finished)")

    step_run = models.ForeignKey(
        StepRun, verbose_name=_("step"), on_delete=models.CASCADE, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    # For reminders: the percentage of the time standard used up (50, 90 …); 0 otherwise.
    ordinal = models.PositiveSmallIntegerField(_("percent"), default=0)
    fire_at = models.DateTimeField(_("fires at"), db_index=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SCHEDULED
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["fire_at", "pk"]
        verbose_name = _("step alert")
        verbose_name_plural = _("step alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["step_run", "kind", "ordinal"], name="one_alert_per_kind_and_ordinal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ordinal} @ {self.fire_at:%Y-%m-%d %H:%M}"

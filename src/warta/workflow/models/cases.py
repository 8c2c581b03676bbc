"""Cases and their step runs: one case is one pass of a subject through an SOP version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["Case", "Deviation", "StepRun"]


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        COMPLETED = "completed", _("completed")
        REFUSED = "refused", _("refused")
        CANCELLED = "cancelled", _("cancelled")

    sop = models.ForeignKey(
        "sop.SopVersion",
        verbose_name=_("SOP version"),
        on_delete=models.PROTECT,
        related_name="cases",
    )
    subject_type = models.CharField(_("subject type"), max_length=100)
    subject_id = models.CharField(_("subject id"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    current_step = models.CharField(_("current step"), max_length=64, blank=True)
    end_state = models.CharField(_("end state"), max_length=64, blank=True)
    revision_round = models.PositiveIntegerField(_("revision round"), default=0)
    lock_version = models.PositiveIntegerField(_("version"), default=0)
    started_at = models.DateTimeField(_("started at"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(status="open"),
                name="one_open_case_per_subject",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class StepRun(models.Model):
    """One execution of one SOP step within a case (a step can run again after a revision)."""

    # No index of its own: the unique (case, seq) index below starts with it.
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="step_runs",
        db_index=False,
    )
    seq = models.PositiveIntegerField(_("order"))
    step_id = models.CharField(_("step"), max_length=64)
    step_name = models.CharField(_("step name"), max_length=200)
    step_number = models.CharField(_("SOP number"), max_length=16, blank=True)
    kind = models.CharField(_("kind"), max_length=16)
    role_id = models.CharField(_("role"), max_length=64)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_step_runs",
    )
    revision_round = models.PositiveIntegerField(_("revision round"), default=0)
    started_at = models.DateTimeField(_("started at"))
    time_standard = models.DurationField(_("time standard"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finished by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    acting_for = models.CharField(_("acting for"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=64, blank=True)
    note = models.TextField(_("note"), blank=True)
    automatic = models.BooleanField(_("automatic"), default=False)
    artifacts_found = models.JSONField(
        _("items found"),
        null=True,
        blank=True,
        help_text=_(
            "For each kelengkapan or output item the step lists: whether it was there when the "
            "step was finished. Empty when the step was left without checking them (a return, "
            "a refusal, an automatic relay)."
        ),
    )

    class Meta:
        ordering = ["case", "seq"]
        verbose_name = _("step run")
        verbose_name_plural = _("step runs")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(finished_at__isnull=True),
                name="one_open_step_per_case",
            ),
            models.UniqueConstraint(fields=["case", "seq"], name="step_run_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["role_id", "finished_at"]),
            # Open steps only (the inbox, the unit overview), most urgent first.
            models.Index(
                fields=["due_at", "started_at", "id"],
                condition=Q(finished_at__isnull=True),
                name="workflow_open_run_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_number or self.step_id}. {self.step_name}"

    @property
    def is_open(self) -> bool:
        return self.finished_at is None


class Deviation(models.Model):
    """A penyimpangan from the mutu baku, attributed to the executor of the step."""

    class Kind(models.TextChoices):
        WAKTU = "waktu", _("time")
        KELENGKAPAN = "kelengkapan", _("completeness")
        OUTPUT = "output", _("output")

    class Review(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        DISPUTED = "disputed", _("disputed")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="deviations"
    )
    step_run = models.ForeignKey(
        StepRun, verbose_name=_("step"), on_delete=models.CASCADE, related_name="deviations"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subject = models.CharField(
        _("about"), max_length=64, blank=True, help_text=_("The missing artifact, if any.")
    )
    detail = models.TextField(_("detail"), blank=True)
    attributed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attributed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
    )
    created_at = models.DateTimeField(_("recorded at"))
    explanation = models.TextField(_("explanation"), blank=True)
    explained_at = models.DateTimeField(_("explained at"), null=True, blank=True)
    review = models.CharField(
        _("supervisor's review"), max_length=16, choices=Review.choices, default=Review.PENDING
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        constraints = [
            models.UniqueConstraint(
                fields=["step_run", "kind", "subject"], name="one_deviation_per_kind_and_subject"
            )
        ]
        indexes = [
            # The deviations list, newest first, and one person's.
            models.Index(fields=["-created_at", "-id"], name="workflow_dev_list_idx"),
            models.Index(
                fields=["attributed_to", "-created_at", "-id"], name="workflow_dev_person_idx"
            ),
            # A person's counts by kind, read from the index alone.
            models.Index(fields=["attributed_to", "kind"], name="workflow_dev_person_kind_idx"),
            # What a person must still explain (the inbox's count): a partial index that holds
            # only those rows, so the count reads the few, not the person's every deviation.
            models.Index(
                fields=["attributed_to"],
                condition=Q(explained_at__isnull=True) | Q(review="disputed"),
                name="workflow_dev_unexplained_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.step_run}"

"""Small helpers for driving the engine in tests."""

from __future__ import annotations

from warta.audit.models import Event
from warta.workflow.models import Case, Deviation, StepRun

ALL_HUMAS_ARTIFACTS = ("naskah", "foto", "video", "alt_foto")


def open_run(case: Case) -> StepRun:
    return StepRun.objects.get(case=case, finished_at__isnull=True)


def snapshot() -> tuple:
    """Everything an engine action can change, to prove a refused action changed nothing."""
    return (
        list(Case.objects.order_by("pk").values()),
        list(StepRun.objects.order_by("pk").values()),
        list(Deviation.objects.order_by("pk").values()),
        Event.objects.count(),
    )

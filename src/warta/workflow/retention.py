"""Which of the engine's rows are bookkeeping that may go once their work is done.

A step alert (``StepAlert``) is the bookkeeping of one background check of a step: once it is
handled — fired or skipped, ``handled_at`` set — nothing reads it again, and what the check did
is in the deviations, the notifications and the audit events (``workflow.step_late``,
``workflow.step_escalated``). A task that fires it again finds no row and does nothing. A
scheduled alert is never handled here: its check is still to come.

The engine only says which rows qualify; whoever prunes (``warta.maintenance``) decides when.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from warta.workflow.models import StepAlert


def handled_alerts_before(cutoff: dt.datetime) -> QuerySet[StepAlert]:
    """The step alerts handled (fired or skipped) before ``cutoff``; never a scheduled one."""
    return StepAlert.objects.exclude(state=StepAlert.State.SCHEDULED).filter(handled_at__lt=cutoff)

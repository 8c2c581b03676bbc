"""The daily prune, run by the task worker: a task that schedules its next run itself.

``ensure_scheduled`` enqueues it unless one is already waiting; ``warta setup`` and every start
of ``warta worker`` call it, so an installation always has exactly one waiting (two workers
starting at the same instant may both enqueue one; the next run then finds the other waiting
and schedules nothing, so the duplicate disappears after a day).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from warta.worktime.zone import JAKARTA

logger = logging.getLogger(__name__)

PRUNE_HOUR = 2  # 02:00 Asia/Jakarta: nobody works, no digest or deadline is due


def next_run_at(now: dt.datetime) -> dt.datetime:
    """The first 02:00 Asia/Jakarta strictly after ``now``."""
    local = timezone.localtime(now, JAKARTA)
    at = local.replace(hour=PRUNE_HOUR, minute=0, second=0, microsecond=0)
    if at <= local:
        at += dt.timedelta(days=1)  # Asia/Jakarta has no daylight saving time
    return at


@task()
def prune_daily() -> dict:
    """Prune the by-products past their retention, then schedule tomorrow's run."""
    from warta.maintenance.services import prune_byproducts

    try:
        pruned = prune_byproducts()
    finally:
        ensure_scheduled()
    return {
        "mails": pruned.mails,
        "task_results": pruned.task_results,
        "step_alerts": pruned.step_alerts,
        "notifications": pruned.notifications,
    }


def ensure_scheduled() -> bool:
    """Enqueue the next daily prune unless one is waiting; True when one was enqueued. Needs a
    task backend that keeps tasks for later (the database backend); with another it does
    nothing."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(prune_daily.get_backend(), DatabaseBackend):
        return False
    with transaction.atomic():
        waiting = DBTaskResult.objects.filter(
            task_path=prune_daily.module_path, status=TaskResultStatus.READY
        )
        if waiting.exists():
            return False
        prune_daily.using(run_after=next_run_at(timezone.now())).enqueue()
    logger.info("daily prune scheduled")
    return True

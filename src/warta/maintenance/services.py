"""Pruning the by-products that would otherwise grow the database for ever.

Two things are kept only for a while (docs/performance.md, "What is kept and for how long"):

- sent e-mails (``notify.OutgoingMail``), ``WARTA_MAIL_RETENTION_DAYS`` after they were sent —
  who got which kind of mail and when is in the audit trail (``notify.mail_sent``);
- finished background task results (``django_tasks_db``), ``WARTA_TASK_RESULT_RETENTION_DAYS``
  after they finished — what a task did is in the rows it changed and their audit events.

Mails not sent yet or failed for good, and tasks waiting or running, are never deleted.
Deletion goes in small batches, each a short transaction of its own, so a prune never holds
the database's write lock for long (on SQLite one lock serves the whole database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from warta.audit.services import record_event
from warta.notify import retention as mail_retention

BATCH_SIZE = 500
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@dataclass(frozen=True)
class Pruned:
    """What one prune deleted (or, in a dry run, would delete)."""

    mails: int
    task_results: int
    mail_retention_days: int
    task_result_retention_days: int
    dry_run: bool = False


def finished_task_results_before(cutoff: dt.datetime):
    return DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)


def _prune_task_results(cutoff: dt.datetime, batch_size: int) -> int:
    deleted = 0
    while True:
        with transaction.atomic():
            # No ordering: the scan stops at the first ``batch_size`` rows that qualify.
            ids = list(
                finished_task_results_before(cutoff)
                .order_by()
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return deleted
            _total, by_model = finished_task_results_before(cutoff).filter(pk__in=ids).delete()
            deleted += by_model.get(DBTaskResult._meta.label, 0)


def prune_byproducts(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> Pruned:
    """Delete sent mails and finished task results older than their retention (settings), in
    batches; record one ``maintenance.pruned`` event with the counts when anything went. With
    ``dry_run`` only count what would go."""
    now = timezone.now()
    mail_days = settings.WARTA_MAIL_RETENTION_DAYS
    task_days = settings.WARTA_TASK_RESULT_RETENTION_DAYS
    mail_cutoff = now - dt.timedelta(days=mail_days)
    task_cutoff = now - dt.timedelta(days=task_days)
    if dry_run:
        return Pruned(
            mails=mail_retention.sent_mails_before(mail_cutoff).count(),
            task_results=finished_task_results_before(task_cutoff).count(),
            mail_retention_days=mail_days,
            task_result_retention_days=task_days,
            dry_run=True,
        )
    pruned = Pruned(
        mails=mail_retention.prune_sent_mails(cutoff=mail_cutoff, batch_size=batch_size),
        task_results=_prune_task_results(task_cutoff, batch_size),
        mail_retention_days=mail_days,
        task_result_retention_days=task_days,
    )
    if pruned.mails or pruned.task_results:
        record = asdict(pruned)
        del record["dry_run"]
        record_event(
            action="maintenance.pruned",
            actor=None,
            object_type="maintenance.prune",
            object_id=now.date().isoformat(),
            after={
                **record,
                "mails_sent_before": mail_cutoff,
                "tasks_finished_before": task_cutoff,
            },
        )
    return pruned

"""Pruning the by-products that would otherwise grow the database for ever.

Four things are kept only for a while (docs/performance.md, "What is kept and for how long"):

- sent e-mails (``notify.OutgoingMail``), ``WARTA_MAIL_RETENTION_DAYS`` after they were sent —
  who got which kind of mail and when is in the audit trail (``notify.mail_sent``);
- finished background task results (``django_tasks_db``), ``WARTA_TASK_RESULT_RETENTION_DAYS``
  after they finished — what a task did is in the rows it changed and their audit events;
- handled step alerts (``workflow.StepAlert``, fired or skipped), as long as task results after
  they were handled: they are the bookkeeping of finished background checks, and what a check
  did is in the deviations, the notifications and the audit events;
- in-app notifications (``notify.Notification``), ``WARTA_NOTIFICATION_RETENTION_DAYS`` after
  they were created, read or not (0 keeps them for ever) — the events they reported are in the
  audit trail, and so is each one that went out by e-mail.

Mails not sent yet or failed for good, tasks waiting or running, and scheduled alerts are never
deleted; nor is a notification whose e-mail is still on its way. Which rows qualify is for the
app that owns them to say (``notify.retention``, ``workflow.retention``). Deletion goes in small
batches, each a short transaction of its own, so a prune never holds the database's write lock
for long (on SQLite one lock serves the whole database).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from warta.audit.services import record_event
from warta.notify import retention as notify_retention
from warta.workflow import retention as workflow_retention

BATCH_SIZE = 500
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@dataclass(frozen=True)
class Pruned:
    """What one prune deleted (or, in a dry run, would delete). A notification retention of 0
    days means notifications are kept for ever (``notifications`` is then 0)."""

    mails: int
    task_results: int
    step_alerts: int
    notifications: int
    mail_retention_days: int
    task_result_retention_days: int
    notification_retention_days: int
    dry_run: bool = False


def finished_task_results_before(cutoff: dt.datetime) -> QuerySet[DBTaskResult]:
    return DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=cutoff)


def _delete_in_batches(rows: QuerySet, batch_size: int) -> int:
    """Delete ``rows`` (re-evaluated each time), ``batch_size`` at a time, each batch in a
    transaction of its own; returns how many of ``rows``' model went."""
    label = rows.model._meta.label
    deleted = 0
    while True:
        with transaction.atomic():
            # No ordering: the scan stops at the first ``batch_size`` rows that qualify.
            ids = list(rows.order_by().values_list("pk", flat=True)[:batch_size])
            if not ids:
                return deleted
            # Only what still qualifies (the rows are re-checked in the delete itself).
            _total, by_model = rows.filter(pk__in=ids).delete()
            deleted += by_model.get(label, 0)


def prune_byproducts(*, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> Pruned:
    """Delete sent mails, finished task results, handled step alerts and notifications older
    than their retention (settings), in batches; record one ``maintenance.pruned`` event with
    the counts when anything went. With ``dry_run`` only count what would go."""
    now = timezone.now()
    mail_days = settings.WARTA_MAIL_RETENTION_DAYS
    task_days = settings.WARTA_TASK_RESULT_RETENTION_DAYS
    notification_days = settings.WARTA_NOTIFICATION_RETENTION_DAYS
    mail_cutoff = now - dt.timedelta(days=mail_days)
    task_cutoff = now - dt.timedelta(days=task_days)
    notification_cutoff = now - dt.timedelta(days=notification_days) if notification_days else None
    days = {
        "mail_retention_days": mail_days,
        "task_result_retention_days": task_days,
        "notification_retention_days": notification_days,
    }
    alerts = workflow_retention.handled_alerts_before(task_cutoff)
    if dry_run:
        return Pruned(
            mails=notify_retention.sent_mails_before(mail_cutoff).count(),
            task_results=finished_task_results_before(task_cutoff).count(),
            step_alerts=alerts.count(),
            notifications=(
                notify_retention.notifications_before(notification_cutoff).count()
                if notification_cutoff is not None
                else 0
            ),
            dry_run=True,
            **days,
        )
    pruned = Pruned(
        mails=notify_retention.prune_sent_mails(cutoff=mail_cutoff, batch_size=batch_size),
        task_results=_delete_in_batches(finished_task_results_before(task_cutoff), batch_size),
        step_alerts=_delete_in_batches(alerts, batch_size),
        notifications=(
            notify_retention.prune_notifications(cutoff=notification_cutoff, batch_size=batch_size)
            if notification_cutoff is not None
            else 0
        ),
        **days,
    )
    if pruned.mails or pruned.task_results or pruned.step_alerts or pruned.notifications:
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
                "alerts_handled_before": task_cutoff,
                "notifications_created_before": notification_cutoff,
            },
        )
    return pruned

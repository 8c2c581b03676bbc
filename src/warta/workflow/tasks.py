"""Background tasks of the engine (run by ``warta worker``)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)
RETRY_AFTER = dt.timedelta(minutes=5)


@task()
def fire_step_alert(alert_id: int) -> str:
    from warta.workflow.deadlines import fire

    try:
        return fire(alert_id)
    except Exception:
        # Nothing of the failed attempt was kept (one transaction); try again later so a
        # deadline is never silently lost.
        logger.exception("step alert %s failed; retrying in %s", alert_id, RETRY_AFTER)
        with transaction.atomic():
            fire_step_alert.using(run_after=timezone.now() + RETRY_AFTER).enqueue(alert_id)
        raise

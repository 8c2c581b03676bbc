"""Background work of the notify app, run by the task worker. Thin: the services do the work."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def send_mail(mail_id: int) -> None:
    """Send one outgoing mail (at most once); a failure schedules its own retry."""
    from warta.notify.services import deliver_mail

    deliver_mail(mail_id=mail_id)


@task()
def send_digest(user_id: int, date_iso: str) -> None:
    """Build the user's daily digest for ``date_iso`` and queue it for sending."""
    from warta.notify.services import prepare_digest

    prepare_digest(user_id=user_id, day=dt.date.fromisoformat(date_iso))

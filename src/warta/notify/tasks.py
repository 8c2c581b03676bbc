"""Background work of the notify app, run by the task worker. Thin: the services do the work."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


@task()
def send_mail(mail_id: int) -> None:
    """Send one outgoing mail (at most once); a failure schedules its own retry. A sent mail's
    sending is recorded in the audit trail (once), so its body may be pruned later."""
    from warta.notify.models import MailStatus
    from warta.notify.retention import record_mail_sent
    from warta.notify.services import deliver_mail

    mail = deliver_mail(mail_id=mail_id)
    if mail is not None and mail.status == MailStatus.SENT:
        record_mail_sent(mail_id=mail.pk)


@task()
def send_digest(user_id: int, date_iso: str) -> None:
    """Build the user's daily digest for ``date_iso`` and queue it for sending."""
    from warta.notify.services import prepare_digest

    prepare_digest(user_id=user_id, day=dt.date.fromisoformat(date_iso))

"""No transaction waits on the mail server, and a mail sent again after a crash is the same
message (same Message-ID)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone

from warta.notify import services
from warta.notify.models import MailStatus, OutgoingMail

from .conftest import _free_port


class HangingServer:
    """Accepts SMTP connections and never says a word (a mail server that hangs)."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.sock = socket.create_server(("127.0.0.1", self.port))
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hanging_smtp(smtp_server, settings):
    smtp_server.stop()
    server = HangingServer()
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 3
    yield server
    server.close()


def _queue(user) -> OutgoingMail:
    with transaction.atomic():
        [notification] = services.notify(
            recipients=[user], kind="task", title="Draf baru", body="", url="/kerja/berita/5/"
        )
    return OutgoingMail.objects.get(notification=notification)


def _wait_for(status: str, mail_id: int, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while OutgoingMail.objects.get(pk=mail_id).status != status:
        assert time.monotonic() < deadline, f"mail never became {status}"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_hanging_mail_server_holds_no_lock(person, hanging_smtp):
    sari = person("sari")
    mail = _queue(sari)
    sending = threading.Thread(target=_deliver, args=(mail.pk,))
    sending.start()
    try:
        _wait_for(MailStatus.SENDING, mail.pk)
        started = time.monotonic()
        # Another person's write, and the admin's "retry now" on the very mail being sent.
        services.set_preference(user=sari, kind="reminder", mode="digest")
        assert services.retry_mail(mail=mail) is False  # it is being sent: left to that attempt
        waited = time.monotonic() - started
        assert sending.is_alive(), "the mail server was supposed to still hang"
    finally:
        sending.join(timeout=30)
    assert waited < 1.0, f"a write waited {waited:.1f} s for the mail server"
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.PENDING, 1)
    assert "timed out" in mail.last_error.lower()
    assert mail.next_attempt_at > timezone.now()


def _deliver(mail_id: int) -> None:
    try:
        services.deliver_mail(mail_id=mail_id)
    finally:
        connection.close()


class WorkerDied(BaseException):
    """The worker process ends abruptly (killed, power cut) — no exception handler runs."""


@pytest.mark.django_db(transaction=True)
def test_a_mail_sent_again_after_a_crash_keeps_its_message_id(
    person, smtp, run_worker, monkeypatch
):
    mail = _queue(person("sari"))

    def die(*args, **kwargs):
        raise WorkerDied

    with monkeypatch.context() as patch:
        patch.setattr(services, "_record", die)  # the server took the mail, then the worker died
        with pytest.raises(WorkerDied):
            services.deliver_mail(mail_id=mail.pk)
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENDING, 1)
    assert len(smtp.messages) == 1

    run_worker()  # the claim is fresh: nobody sends it a second time meanwhile
    assert len(smtp.messages) == 1

    later = timezone.now() + services.SENDING_TIMEOUT + dt.timedelta(minutes=1)
    with time_machine.travel(later):
        run_worker()
        run_worker()

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 2)
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"] == services.message_id(mail)
    assert services.message_id(mail) == f"<warta-mail-{mail.pk}@warta.example.go.id>"


@pytest.mark.django_db(transaction=True)
def test_every_mail_has_its_own_stable_message_id(person, smtp, run_worker):
    first, second = _queue(person("sari")), _queue(person("budi"))
    run_worker()
    assert sorted(m["Message-ID"] for m in smtp.messages) == sorted(
        services.message_id(m) for m in (first, second)
    )
    assert services.message_id(first) != services.message_id(second)

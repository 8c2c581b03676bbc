"""A real SMTP server (aiosmtpd) on a free local port, and the task worker run in-process."""

from __future__ import annotations

import email
import socket
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


class Collector:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = Collector()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, server_hostname="localhost"
        )
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(env.original_content, policy=policy.default)
            for env in self.handler.envelopes
        ]

    @property
    def recipients(self) -> list[list[str]]:
        return [env.rcpt_tos for env in self.handler.envelopes]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A configured SMTP server that is *not* running yet; call ``.start()``."""
    server = SmtpServer(_free_port())
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.WARTA_SITE_URL = "https://warta.example.go.id"
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server):
    """A running SMTP server collecting what Warta sends."""
    smtp_server.start()
    return smtp_server


@pytest.fixture
def run_worker():
    """Run the task worker until no task is due (as ``warta worker`` would, once)."""

    def run() -> None:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    return run


@pytest.fixture
def person(make_user):
    """A user with an e-mail address."""

    def make(username: str, *roles: str, email_address: str | None = None):
        user = make_user(username, *roles)
        user.email = f"{username}@example.go.id" if email_address is None else email_address
        user.save(update_fields=["email"])
        return user

    return make

"""A transition e-mails the next executor through the outbox: with the SMTP server down the
transition still succeeds, and the mail goes out once the server is back — once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from warta.notify.models import OutgoingMail
from warta.workflow import services

from .helpers import ALL_HUMAS_ARTIFACTS, open_run

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db(transaction=True)


def test_review_task_mail_survives_a_down_smtp_server(humas_sop, person, smtp_server, run_worker):
    humas = person("humas", "staf_humas")
    kasubbag = person("kasubbag", "kasubbag_umum_rt")
    start = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
    with time_machine.travel(start, tick=False):
        case = services.start_case(
            sop=humas_sop, subject_type="t", subject_id="1", title="Wisuda", started_by=humas
        )
        for _ in range(2):  # catat, edit: the draft goes to the Kasubbag
            services.complete_step(
                case_id=case.pk,
                step_run_id=open_run(case).pk,
                user=humas,
                confirmed=ALL_HUMAS_ARTIFACTS,
            )
        run_worker()  # the SMTP server is down: the attempt fails, nothing is lost
    assert open_run(case).step_id == "periksa"
    mail = OutgoingMail.objects.get(to_address=kasubbag.email)
    assert mail.status == "pending" and mail.attempts == 1
    assert "Tugas baru: 3. Periksa draft — Wisuda" in mail.subject
    assert smtp_server.messages == []

    smtp_server.start()
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):  # retry due at +1
        run_worker()
        run_worker()
    assert [m["To"] for m in smtp_server.messages] == [kasubbag.email]
    body = smtp_server.messages[0].get_body(("plain",)).get_content()
    assert "Menunggu Anda sejak 30 November 2026 09:00 WIB." in body
    assert "https://warta.example.go.id/kerja/" in body

"""The words people read: the kind label once (no "Tugas baru: Tugas baru:"), and a return for
revision that says so, by whom (as Plh. when acting) and with the note given."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from warta.accounts.services import appoint_delegation
from warta.notify import texts
from warta.notify.models import Notification, OutgoingMail
from warta.workflow import services

WIB = ZoneInfo("Asia/Jakarta")
START = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)  # Monday
EVERYTHING = ("naskah", "foto", "video")
NOTE = "Mohon lengkapi nama narasumber di paragraf kedua."


@pytest.fixture
def team(humas_sop, person):
    people = {
        "humas": person("humas", "staf_humas"),
        "kasubbag": person("kasubbag", "kasubbag_umum_rt"),
        "plh": person("plh"),
    }
    people["humas"].first_name, people["humas"].last_name = "Sari", "Wulandari"
    people["plh"].first_name, people["plh"].last_name = "Dewi", "Lestari"
    for user in people.values():
        user.save()
    return people


def _open(case):
    return case.step_runs.get(finished_at__isnull=True)


def _to_the_check(sop, humas):
    case = services.start_case(
        sop=sop, subject_type="t", subject_id="1", title="Wisuda", started_by=humas
    )
    for _step in ("catat", "edit"):
        services.complete_step(
            case_id=case.pk, step_run_id=_open(case).pk, user=humas, confirmed=EVERYTHING
        )
    return case


@pytest.mark.django_db
def test_a_new_task_names_its_kind_once(humas_sop, team):
    with time_machine.travel(START, tick=False):
        _to_the_check(humas_sop, team["humas"])
    notification = Notification.objects.get(recipient=team["kasubbag"])
    assert notification.title == "3. Periksa draft — Wisuda"
    assert notification.body == (
        "Menunggu Anda sejak 30 November 2026 09:00 WIB. Batas waktu 30 November 2026 09:10 WIB."
    )
    mail = OutgoingMail.objects.get(to_address=team["kasubbag"].email)
    assert mail.subject == "[Warta] Tugas baru: 3. Periksa draft — Wisuda"
    assert mail.text_body.splitlines()[0] == "Tugas baru: 3. Periksa draft — Wisuda"
    assert "Tugas baru: Tugas baru" not in mail.text_body + mail.html_body


@pytest.mark.django_db
def test_a_return_by_a_plh_says_returned_by_whom_and_the_note(humas_sop, team):
    appoint_delegation(
        role_code="kasubbag_umum_rt",
        acting=team["plh"],
        principal=team["kasubbag"],
        starts_on=START.date(),
        ends_on=START.date(),
        kind="plh",
        reason="Kasubbag dinas luar.",
        appointed_by=team["kasubbag"],
    )
    with time_machine.travel(START, tick=False):
        case = _to_the_check(humas_sop, team["humas"])
    with time_machine.travel(START + dt.timedelta(minutes=5), tick=False):
        services.decide(
            case_id=case.pk,
            step_run_id=_open(case).pk,
            user=team["plh"],
            branch="kembalikan",
            reason=NOTE,
        )
    notification = Notification.objects.get(recipient=team["humas"], kind="task")
    assert notification.title == "Dikembalikan untuk direvisi — Wisuda"
    assert notification.body == (
        "Plh. Kasubbag Umum dan Rumah Tangga — Dewi Lestari mengembalikannya untuk direvisi "
        "(3. Periksa draft).\n"
        f"Catatan: {NOTE}\n"
        "\n"
        "Menunggu Anda sejak 30 November 2026 09:05 WIB. Batas waktu 30 November 2026 11:05 WIB."
    )
    mail = OutgoingMail.objects.get(to_address=team["humas"].email)
    assert mail.subject == "[Warta] Tugas baru: Dikembalikan untuk direvisi — Wisuda"
    assert mail.text_body.startswith(
        "Tugas baru: Dikembalikan untuk direvisi — Wisuda\n\n"
        "Plh. Kasubbag Umum dan Rumah Tangga — Dewi Lestari mengembalikannya untuk direvisi "
        "(3. Periksa draft).\n"
        f"Catatan: {NOTE}\n"
    )
    assert NOTE in mail.html_body


@pytest.mark.django_db
def test_a_return_by_the_official_names_them_without_plh(humas_sop, team):
    team["kasubbag"].first_name, team["kasubbag"].last_name = "Rina", "Kartika"
    team["kasubbag"].save()
    with time_machine.travel(START, tick=False):
        case = _to_the_check(humas_sop, team["humas"])
        services.decide(
            case_id=case.pk,
            step_run_id=_open(case).pk,
            user=team["kasubbag"],
            branch="kembalikan",
            reason=NOTE,
        )
    notification = Notification.objects.get(recipient=team["humas"], kind="task")
    assert notification.body.startswith(
        f"Rina Kartika mengembalikannya untuk direvisi (3. Periksa draft).\nCatatan: {NOTE}\n\n"
    )


@pytest.mark.parametrize(
    ("language", "title", "body"),
    [
        (
            "id",
            "Dikembalikan untuk direvisi — Wisuda",
            "Plh. Kabag — Dewi mengembalikannya untuk direvisi (5. Beri izin).\n"
            "Catatan: Foto buram.",
        ),
        (
            "en",
            "Returned for revision — Wisuda",
            "Plh. Kabag — Dewi returned it for revision (5. Beri izin).\nNote: Foto buram.",
        ),
    ],
)
def test_return_texts_in_both_languages(language, title, body):
    with translation.override(language):
        assert texts.returned_title(title="Wisuda") == title
        by = texts.person_label(name="Dewi", acting_for="Plh. Kabag")
        assert texts.returned_body(by=by, at_step="5. Beri izin", note=" Foto buram. ") == body
        assert texts.step_title(step="3. Periksa draft", title="Wisuda") == (
            "3. Periksa draft — Wisuda"
        )

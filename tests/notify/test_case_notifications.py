"""The notifiers that listen to the engine's deviation events: an explanation goes to the
direct supervisor (not higher, not the executor), the review back to the executor."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from warta.notify.models import Notification
from warta.workflow import services
from warta.workflow.deviations import explain_deviation, review_deviation
from warta.workflow.models import Deviation

START = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # Wednesday 09:00 WIB


@pytest.fixture
def late(humas_sop, person):
    """Step 1 finished by Sari two hours after it started: one waktu deviation."""
    people = {
        "humas": person("humas", "staf_humas"),
        "kasubbag": person("kasubbag", "kasubbag_umum_rt"),
        "kabag": person("kabag", "kabag_adm_umum"),
    }
    people["humas"].first_name, people["humas"].last_name = "Sari", "Wulandari"
    people["humas"].save()
    with time_machine.travel(START, tick=False):
        case = services.start_case(
            sop=humas_sop,
            subject_type="t",
            subject_id="1",
            title="Wisuda",
            started_by=people["humas"],
        )
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        services.complete_step(
            case_id=case.pk,
            step_run_id=case.step_runs.get(finished_at__isnull=True).pk,
            user=people["humas"],
            confirmed=["naskah", "foto", "video"],
        )
    Notification.objects.all().delete()  # the new-task notice of step 2 is not under test
    return people, Deviation.objects.get(kind="waktu")


def _received(kind: str) -> list[tuple[str, str, str]]:
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("pk")
        .values_list("recipient__username", "title", "body")
    )


@pytest.mark.django_db
def test_an_explanation_goes_to_the_supervisor_and_the_review_back(late):
    people, deviation = late
    explain_deviation(
        deviation_id=deviation.pk, user=people["humas"], explanation="Menunggu foto dari panitia."
    )
    assert _received("deviation") == [
        (
            "kasubbag",
            "Penjelasan menunggu tanggapan Anda — 1. Catat rincian informasi berita",
            "Sari Wulandari menjelaskan penyimpangan (waktu) pada “Wisuda”. Mohon akui atau "
            "sanggah.",
        )
    ]
    review_deviation(
        deviation_id=deviation.pk, user=people["kasubbag"], decision="disputed", note="Kurang."
    )
    assert _received("deviation_review") == [("humas", "Penjelasan Anda disanggah", "Kurang.")]

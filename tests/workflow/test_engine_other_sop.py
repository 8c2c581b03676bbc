"""A second, unrelated SOP (meeting-room booking) runs through the same engine unchanged."""

from __future__ import annotations

import pytest

from warta.workflow import services
from warta.workflow.errors import InvalidBranch, NotPermitted
from warta.workflow.models import Case

from .helpers import open_run

FORM = ("formulir", "daftar_hadir")


@pytest.fixture
def people(make_user):
    return {
        "pemohon": make_user("pemohon", "pemohon"),
        "petugas": make_user("petugas", "petugas_ruang"),
        "kepala": make_user("kepala", "kepala_umum"),
    }


def act(case, user, branch=None, reason="", confirmed=FORM):
    run = open_run(case)
    if branch is None:
        services.complete_step(case_id=case.pk, step_run_id=run.pk, user=user, confirmed=confirmed)
    else:
        services.decide(
            case_id=case.pk,
            step_run_id=run.pk,
            user=user,
            branch=branch,
            reason=reason,
            confirmed=confirmed,
        )
    case.refresh_from_db()


def test_loop_between_two_decisions_then_automatic_relay_to_the_end(room_sop, people):
    case = services.start_case(
        sop=room_sop,
        subject_type="room.booking",
        subject_id=7,
        title="Rapat koordinasi",
        started_by=people["pemohon"],
    )
    act(case, people["pemohon"])
    act(case, people["petugas"], "lengkap")
    act(case, people["kepala"], "tunda", reason="Cek bentrok jadwal")
    case.refresh_from_db()
    assert case.current_step == "verifikasi" and case.revision_round == 0  # not a revision
    act(case, people["petugas"], "perbaiki", reason="Jumlah peserta")
    case.refresh_from_db()
    assert case.current_step == "ajukan" and case.revision_round == 1
    act(case, people["pemohon"])
    act(case, people["petugas"], "lengkap")
    with pytest.raises(InvalidBranch):
        act(case, people["kepala"], "izinkan")
    act(case, people["kepala"], "setuju")
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_state == "disetujui"
    relay = case.step_runs.get(step_id="catat_jadwal")
    assert relay.automatic and relay.finished_by is None  # the Kepala does not hold that role
    steps = list(case.step_runs.order_by("seq").values_list("step_id", flat=True))
    assert steps == [
        "ajukan",
        "verifikasi",
        "putuskan",
        "verifikasi",
        "ajukan",
        "verifikasi",
        "putuskan",
        "catat_jadwal",
    ]


def test_three_way_decision_can_refuse(room_sop, people):
    case = services.start_case(
        sop=room_sop,
        subject_type="room.booking",
        subject_id=8,
        title="Rapat",
        started_by=people["pemohon"],
    )
    act(case, people["pemohon"])
    act(case, people["petugas"], "tolak", reason="Ruang dipakai pimpinan")
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED


def test_only_the_first_steps_role_may_start(room_sop, people):
    with pytest.raises(NotPermitted):
        services.start_case(
            sop=room_sop,
            subject_type="room.booking",
            subject_id=9,
            title="Rapat",
            started_by=people["petugas"],
        )
    assert not Case.objects.exists()

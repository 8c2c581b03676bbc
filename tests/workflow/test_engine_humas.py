"""The shipped Humas SOP driven through the generic engine, step by step."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.workflow import services
from warta.workflow.errors import (
    AlreadyProcessed,
    CaseAlreadyOpen,
    NotPermitted,
    ReasonRequired,
    RequirementsMissing,
    WrongStepKind,
)
from warta.workflow.models import Case, Deviation

from .helpers import ALL_HUMAS_ARTIFACTS, open_run, snapshot

WIB = ZoneInfo("Asia/Jakarta")


@pytest.fixture
def people(make_user):
    return {
        "humas": make_user("humas", "staf_humas", full_name="Sari Wulandari"),
        "humas2": make_user("humas2", "staf_humas", full_name="Budi Santoso"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt", full_name="Rina Kartika"),
        "kasubbag2": make_user("kasubbag2", "kasubbag_umum_rt", full_name="Dewi Lestari"),
        "kabag": make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo"),
        "outsider": make_user("outsider", full_name="Tamu Luar"),
    }


def start(sop, user, subject_id="1"):
    return services.start_case(
        sop=sop, subject_type="test.item", subject_id=subject_id, title="Berita", started_by=user
    )


def complete(case, user, confirmed=ALL_HUMAS_ARTIFACTS, note=""):
    services.complete_step(
        case_id=case.pk, step_run_id=open_run(case).pk, user=user, confirmed=confirmed, note=note
    )
    case.refresh_from_db()


def decide(case, user, branch, reason="", confirmed=ALL_HUMAS_ARTIFACTS):
    services.decide(
        case_id=case.pk,
        step_run_id=open_run(case).pk,
        user=user,
        branch=branch,
        reason=reason,
        confirmed=confirmed,
    )
    case.refresh_from_db()


def test_happy_path_through_all_seven_steps(humas_sop, people):
    case = start(humas_sop, people["humas"])
    assert case.current_step == "catat"
    assert open_run(case).assignee == people["humas"]
    complete(case, people["humas"])
    complete(case, people["humas"])
    assert case.current_step == "periksa"
    decide(case, people["kasubbag"], "setuju")
    # Step 4 is a relay the software makes instant: done on entry, attributed to the Kasubbag.
    relay = case.step_runs.get(step_id="lapor_kabag")
    assert relay.automatic and relay.finished_by == people["kasubbag"]
    assert relay.started_at == relay.finished_at
    assert case.current_step == "izin"
    decide(case, people["kabag"], "izinkan")
    order = open_run(case)
    assert order.step_id == "perintah_unggah"
    assert order.due_at is None and order.time_standard is None  # step 6: no time standard yet
    complete(case, people["kasubbag"])
    upload = open_run(case)
    assert upload.step_id == "unggah" and upload.assignee == people["humas"]
    complete(case, people["humas"])
    case.refresh_from_db()
    assert case.status == Case.Status.COMPLETED and case.end_state == "terunggah"
    assert [r.step_id for r in case.step_runs.order_by("seq")] == [
        "catat",
        "edit",
        "periksa",
        "lapor_kabag",
        "izin",
        "perintah_unggah",
        "unggah",
    ]
    # One event per transition: start, 2 completions, decision, relay, decision, 2 completions.
    assert Event.objects.filter(object_type="workflow.case").count() == 8
    assert list(verify_chain()) == []


def test_return_for_revision_needs_a_reason_and_counts_rounds(humas_sop, people):
    case = start(humas_sop, people["humas"])
    complete(case, people["humas"])
    complete(case, people["humas"])
    before = snapshot()
    with pytest.raises(ReasonRequired):
        decide(case, people["kasubbag"], "kembalikan", reason="   ")
    assert snapshot() == before
    decide(case, people["kasubbag"], "kembalikan", reason="Judul kurang jelas")
    case.refresh_from_db()
    assert case.current_step == "edit" and case.revision_round == 1
    run = open_run(case)
    assert run.revision_round == 1 and run.assignee == people["humas"]
    assert case.step_runs.get(step_id="periksa").note == "Judul kurang jelas"
    complete(case, people["humas"])
    assert open_run(case).assignee == people["kasubbag"]  # back to whoever returned it
    decide(case, people["kasubbag"], "kembalikan", reason="Foto kurang tajam")
    case.refresh_from_db()
    assert case.revision_round == 2


def test_kabag_can_refuse_with_a_reason(humas_sop, people):
    case = start(humas_sop, people["humas"])
    complete(case, people["humas"])
    complete(case, people["humas"])
    decide(case, people["kasubbag"], "setuju")
    with pytest.raises(ReasonRequired):
        decide(case, people["kabag"], "tolak")
    decide(case, people["kabag"], "tolak", reason="Kegiatan bersifat internal")
    case.refresh_from_db()
    assert case.status == Case.Status.REFUSED and case.end_state == "ditolak"
    assert case.step_runs.filter(finished_at__isnull=True).count() == 0


@pytest.mark.parametrize("intruder", ["kabag", "outsider", "humas2"])
def test_wrong_person_is_refused_and_nothing_changes(humas_sop, people, intruder):
    case = start(humas_sop, people["humas"])
    before = snapshot()
    with pytest.raises(NotPermitted):
        complete(case, people[intruder])
    assert snapshot() == before


def test_author_never_approves_own_draft(humas_sop, people, make_user):
    both = make_user("rangkap", "staf_humas", "kasubbag_umum_rt")
    case = start(humas_sop, both)
    complete(case, both)
    complete(case, both)
    before = snapshot()
    with pytest.raises(NotPermitted) as refused:
        decide(case, both, "setuju")
    assert "separation" in str(refused.value) or "pemisahan" in str(refused.value)
    assert snapshot() == before
    decide(case, people["kasubbag"], "setuju")  # another Kasubbag may


def test_missing_blocking_item_blocks_and_tolerated_item_is_a_deviation(humas_sop, people):
    case = start(humas_sop, people["humas"])
    before = snapshot()
    with pytest.raises(RequirementsMissing):
        complete(case, people["humas"], confirmed=("foto", "video"))
    assert snapshot() == before
    complete(case, people["humas"], confirmed=("naskah", "foto"))  # no video
    deviations = Deviation.objects.filter(case=case)
    assert deviations.exists()
    assert {d.subject for d in deviations} == {"video"}
    assert all(d.attributed_to == people["humas"] for d in deviations)
    assert Deviation.Kind.KELENGKAPAN in {d.kind for d in deviations}


def test_stale_action_says_who_processed_it_and_when(humas_sop, people):
    case = start(humas_sop, people["humas"])
    complete(case, people["humas"])
    complete(case, people["humas"])
    stale = open_run(case).pk
    services.decide(
        case_id=case.pk,
        step_run_id=stale,
        user=people["kasubbag"],
        branch="setuju",
        confirmed=ALL_HUMAS_ARTIFACTS,
    )
    before = snapshot()
    with pytest.raises(AlreadyProcessed) as refused:
        services.decide(
            case_id=case.pk,
            step_run_id=stale,
            user=people["kasubbag2"],
            branch="setuju",
            confirmed=ALL_HUMAS_ARTIFACTS,
        )
    assert "Rina Kartika" in str(refused.value)
    assert "WIB" in str(refused.value)
    assert snapshot() == before


def test_one_open_case_per_subject(humas_sop, people):
    start(humas_sop, people["humas"], subject_id="42")
    before = snapshot()
    with pytest.raises(CaseAlreadyOpen):
        start(humas_sop, people["humas2"], subject_id="42")
    assert snapshot() == before


def test_completing_a_decision_is_refused(humas_sop, people):
    case = start(humas_sop, people["humas"])
    complete(case, people["humas"])
    complete(case, people["humas"])
    with pytest.raises(WrongStepKind):
        complete(case, people["kasubbag"])


def test_due_times_follow_the_working_calendar_and_late_finish_is_a_deviation(humas_sop, people):
    friday_late = dt.datetime(2026, 11, 27, 16, 20, tzinfo=WIB)
    with time_machine.travel(friday_late, tick=False):
        case = start(humas_sop, people["humas"])
    run = open_run(case)
    assert run.due_at == dt.datetime(2026, 11, 30, 7, 50, tzinfo=WIB)
    with time_machine.travel(dt.datetime(2026, 11, 30, 7, 45, tzinfo=WIB), tick=False):
        complete(case, people["humas"])
    assert not Deviation.objects.filter(kind="waktu").exists()
    edit = open_run(case)
    assert edit.due_at == dt.datetime(2026, 11, 30, 9, 45, tzinfo=WIB)
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 0, tzinfo=WIB), tick=False):
        complete(case, people["humas"])
    late = Deviation.objects.get(kind="waktu")
    assert late.step_run == edit and late.attributed_to == people["humas"]


def test_reassign_by_supervisor_only(humas_sop, people):
    case = start(humas_sop, people["humas"])
    run = open_run(case)
    with pytest.raises(NotPermitted):
        services.reassign(
            case_id=case.pk,
            step_run_id=run.pk,
            user=people["humas2"],
            assignee=people["humas2"],
            reason="saya ambil",
        )
    services.reassign(
        case_id=case.pk,
        step_run_id=run.pk,
        user=people["kasubbag"],
        assignee=people["humas2"],
        reason="Sari cuti",
    )
    assert open_run(case).assignee == people["humas2"]
    with pytest.raises(NotPermitted):
        complete(case, people["humas"])
    complete(case, people["humas2"])


def test_cancel_needs_reason_and_permission(humas_sop, people):
    case = start(humas_sop, people["humas"])
    with pytest.raises(ReasonRequired):
        services.cancel_case(case_id=case.pk, user=people["humas"], reason="")
    with pytest.raises(NotPermitted):
        services.cancel_case(case_id=case.pk, user=people["humas2"], reason="salah")
    services.cancel_case(case_id=case.pk, user=people["humas"], reason="Kegiatan batal")
    case.refresh_from_db()
    assert case.status == Case.Status.CANCELLED
    assert not case.step_runs.filter(finished_at__isnull=True).exists()

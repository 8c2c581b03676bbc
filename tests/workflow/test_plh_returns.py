"""A step a Plh/Plt handled comes back to the official they stood in for (or to the role's
queue), never to the acting person: when the delegation ends, nothing is stuck."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from warta.accounts.services import appoint_delegation
from warta.audit.models import Event
from warta.workflow import services

from .helpers import ALL_HUMAS_ARTIFACTS, open_run

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
THURSDAY = MONDAY + dt.timedelta(days=3)  # the delegation below ends on Tuesday


def act(case, user, branch=None, reason=""):
    run = open_run(case)
    if branch is None:
        services.complete_step(
            case_id=case.pk, step_run_id=run.pk, user=user, confirmed=ALL_HUMAS_ARTIFACTS
        )
    else:
        services.decide(
            case_id=case.pk,
            step_run_id=run.pk,
            user=user,
            branch=branch,
            reason=reason,
            confirmed=ALL_HUMAS_ARTIFACTS,
        )
    case.refresh_from_db()


@pytest.fixture
def people(make_user):
    return {
        "humas": make_user("humas", "staf_humas"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt"),
        "kabag": make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo"),
        "plh": make_user("sekretaris", full_name="Dewi Lestari"),
        "admin": make_user("admin", superuser=True),
    }


def _delegate(people, *, principal):
    appoint_delegation(
        role_code="kabag_adm_umum",
        acting=people["plh"],
        principal=principal,
        starts_on=MONDAY.date(),
        ends_on=MONDAY.date() + dt.timedelta(days=1),
        kind="plh",
        reason="Kabag dinas luar kota.",
        appointed_by=people["admin"],
    )


def _to_permission_step(case, people):
    act(case, people["humas"])
    act(case, people["humas"])
    act(case, people["kasubbag"], "setuju")


@pytest.mark.django_db
def test_a_step_returned_by_a_plh_comes_back_to_the_principal(humas_sop, people):
    with time_machine.travel(MONDAY, tick=False):
        _delegate(people, principal=people["kabag"])
        case = services.start_case(
            sop=humas_sop,
            subject_type="t",
            subject_id="1",
            title="Berita",
            started_by=people["humas"],
        )
        _to_permission_step(case, people)
        act(case, people["plh"], "kembalikan", "Perbaiki judul.")
        returned = case.step_runs.get(step_id="izin")
        assert returned.finished_by == people["plh"] and returned.acting_for
        act(case, people["humas"])
        act(case, people["kasubbag"], "setuju")
        run = open_run(case)
        assert run.step_id == "izin"
        assert run.assignee == people["kabag"]  # not the Plh, whose delegation ends tomorrow

    with time_machine.travel(THURSDAY, tick=False):
        act(case, people["kabag"], "izinkan")  # the official is back and can act
    run.refresh_from_db()
    assert run.finished_by == people["kabag"] and run.acting_for == ""
    assert open_run(case).step_id == "perintah_unggah"


@pytest.mark.django_db
def test_a_step_returned_by_the_plh_of_a_vacant_post_waits_in_the_role_queue(
    humas_sop, people, make_user
):
    with time_machine.travel(MONDAY, tick=False):
        _delegate(people, principal=None)
        case = services.start_case(
            sop=humas_sop,
            subject_type="t",
            subject_id="1",
            title="Berita",
            started_by=people["humas"],
        )
        _to_permission_step(case, people)
        act(case, people["plh"], "kembalikan", "Perbaiki judul.")
        act(case, people["humas"])
        act(case, people["kasubbag"], "setuju")
        assert open_run(case).assignee is None
    new_kabag = make_user("kabag2", "kabag_adm_umum")
    with time_machine.travel(THURSDAY, tick=False):
        act(case, new_kabag, "izinkan")
    assert open_run(case).step_id == "perintah_unggah"


@pytest.mark.django_db
def test_reassigning_to_a_plh_assigns_the_official_they_stand_in_for(humas_sop, people):
    with time_machine.travel(MONDAY, tick=False):
        _delegate(people, principal=people["kabag"])
        case = services.start_case(
            sop=humas_sop,
            subject_type="t",
            subject_id="1",
            title="Berita",
            started_by=people["humas"],
        )
        _to_permission_step(case, people)
        run = open_run(case)
        services.reassign(
            case_id=case.pk,
            step_run_id=run.pk,
            user=people["admin"],
            assignee=people["plh"],
            reason="Kabag dinas luar kota.",
        )
        run.refresh_from_db()
        assert run.assignee == people["kabag"]
        event = Event.objects.get(action="workflow.step_reassigned")
        assert event.after["chosen"] == people["plh"].pk
        assert event.after["assignee"] == people["kabag"].pk
        act(case, people["plh"], "kembalikan", "Foto kurang.")  # the Plh can act on it today
        act(case, people["humas"])
        act(case, people["kasubbag"], "setuju")
    with time_machine.travel(THURSDAY, tick=False):
        act(case, people["kabag"], "izinkan")
    assert open_run(case).step_id == "perintah_unggah"

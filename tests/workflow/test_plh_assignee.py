"""A Plh of the official a step is assigned to may carry it out, sees it in the inbox, and is
recorded as Plh; after the delegation ends they no longer can."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from warta.accounts.services import appoint_delegation
from warta.audit.models import Event
from warta.workflow import services
from warta.workflow.errors import NotPermitted
from warta.workflow.selectors import tasks_for

from .helpers import ALL_HUMAS_ARTIFACTS, open_run

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=WIB)


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


@pytest.mark.django_db
def test_plh_of_the_assigned_kabag(humas_sop, make_user):
    humas = make_user("humas", "staf_humas")
    kasubbag = make_user("kasubbag", "kasubbag_umum_rt")
    kabag = make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo")
    plh = make_user("sekretaris", full_name="Dewi Lestari")
    with time_machine.travel(MONDAY, tick=False):
        case = services.start_case(
            sop=humas_sop, subject_type="t", subject_id="1", title="Berita", started_by=humas
        )
        act(case, humas)
        act(case, humas)
        act(case, kasubbag, "setuju")
        act(case, kabag, "kembalikan", "Perbaiki judul.")
        act(case, humas)
        act(case, kasubbag, "setuju")
        run = open_run(case)
        assert run.step_id == "izin" and run.assignee == kabag  # the Kabag's own item again
        appoint_delegation(
            role_code="kabag_adm_umum",
            acting=plh,
            principal=kabag,
            starts_on=MONDAY.date(),
            ends_on=MONDAY.date() + dt.timedelta(days=1),
            kind="plh",
            reason="Kabag dinas luar kota.",
            appointed_by=kabag,
        )
        assert [t.pk for t in tasks_for(plh)] == [run.pk]
    with time_machine.travel(MONDAY + dt.timedelta(days=2), tick=False):
        assert list(tasks_for(plh)) == []
        with pytest.raises(NotPermitted):
            act(case, plh, "izinkan")
    with time_machine.travel(MONDAY + dt.timedelta(hours=2), tick=False):
        act(case, plh, "izinkan")
    run.refresh_from_db()
    assert run.finished_by == plh and run.acting_for == "Plh. Kabag Administrasi Umum"
    event = Event.objects.filter(action="workflow.step_decided").last()
    assert event.acting_for == "Plh. Kabag Administrasi Umum"


@pytest.mark.django_db
def test_a_plh_supervisor_reassigns_on_the_record(humas_sop, make_user):
    humas = make_user("humas", "staf_humas")
    humas2 = make_user("humas2", "staf_humas")
    kasubbag = make_user("kasubbag", "kasubbag_umum_rt")
    plh = make_user("plh", full_name="Dewi Lestari")
    with time_machine.travel(MONDAY, tick=False):
        case = services.start_case(
            sop=humas_sop, subject_type="t", subject_id="1", title="Berita", started_by=humas
        )
        appoint_delegation(
            role_code="kasubbag_umum_rt",
            acting=plh,
            principal=kasubbag,
            starts_on=MONDAY.date(),
            ends_on=MONDAY.date(),
            kind="plh",
            reason="Kasubbag cuti.",
            appointed_by=kasubbag,
        )
        services.reassign(
            case_id=case.pk,
            step_run_id=open_run(case).pk,
            user=plh,
            assignee=humas2,
            reason="Sari sakit.",
        )
    event = Event.objects.get(action="workflow.step_reassigned")
    assert event.acting_for == "Plh. Kasubbag Umum dan Rumah Tangga"
    assert open_run(case).assignee == humas2


@pytest.mark.django_db
def test_a_case_started_by_a_plh_belongs_to_the_official_they_stand_in_for(humas_sop, make_user):
    humas = make_user("humas", "staf_humas", full_name="Sari Wulandari")
    plh = make_user("magang", full_name="Tono Pengganti")
    admin = make_user("admin", superuser=True)
    with time_machine.travel(MONDAY, tick=False):
        appoint_delegation(
            role_code="staf_humas",
            acting=plh,
            principal=humas,
            starts_on=MONDAY.date(),
            ends_on=MONDAY.date(),
            kind="plh",
            reason="Cuti",
            appointed_by=admin,
        )
        case = services.start_case(
            sop=humas_sop, subject_type="t", subject_id="1", title="Berita", started_by=plh
        )
        run = open_run(case)
        assert run.assignee == humas  # not the Plh, whose delegation ends today
        assert run in tasks_for(plh)
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        with pytest.raises(NotPermitted):
            act(case, plh)
        act(case, humas)  # the official can carry on once the Plh's day is over
    assert open_run(case).step_id == "edit"

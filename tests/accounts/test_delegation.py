"""Plh/Plt delegation: who may act as whom, when, and how the engine and the audit record it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from warta.accounts import selectors, services
from warta.accounts.models import Delegation
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.workflow import services as workflow
from warta.workflow.errors import NotPermitted
from warta.workflow.models import StepRun
from warta.workflow.selectors import tasks_for

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = dt.date(2026, 11, 30)  # a working day
TUESDAY = MONDAY + dt.timedelta(days=1)
LABEL = "Plh. Kabag Administrasi Umum"
ARTIFACTS = ["naskah", "foto", "video"]


def wib(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=WIB)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(wib(MONDAY), tick=False)
    return time_machine


@pytest.fixture
def people(humas_sop, make_user):
    return {
        "humas": make_user("humas", "staf_humas", full_name="Sari Wulandari"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt", full_name="Rina Kartika"),
        "kabag": make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo"),
        "kabag2": make_user("kabag2", "kabag_adm_umum", full_name="Wati Purnama"),
        "outsider": make_user("outsider", full_name="Tamu Luar"),
        "admin": make_user("admin", superuser=True, full_name="Admin Warta"),
    }


def appoint(people, **overrides) -> Delegation:
    values = {
        "role_code": "kabag_adm_umum",
        "acting": people["kasubbag"],
        "principal": people["kabag"],
        "starts_on": MONDAY,
        "ends_on": TUESDAY,
        "kind": "plh",
        "reason": "Cuti tahunan",
        "appointed_by": people["kabag"],
    }
    values.update(overrides)
    return services.appoint_delegation(**values)


def run_case_to_izin(sop, people):
    """Start a case of the shipped SOP for a subject with no hooks and bring it to step 5."""
    case = workflow.start_case(
        sop=sop, subject_type="test.subject", subject_id=1, title="x", started_by=people["humas"]
    )
    for _ in range(2):
        run = StepRun.objects.get(case=case, finished_at__isnull=True)
        workflow.complete_step(
            case_id=case.pk, step_run_id=run.pk, user=people["humas"], confirmed=ARTIFACTS
        )
    run = StepRun.objects.get(case=case, finished_at__isnull=True)
    workflow.decide(
        case_id=case.pk,
        step_run_id=run.pk,
        user=people["kasubbag"],
        branch="setuju",
        confirmed=ARTIFACTS,
    )
    izin = StepRun.objects.get(case=case, finished_at__isnull=True)
    assert izin.step_id == "izin" and izin.assignee_id is None
    return case, izin


def decide_izin(case, izin, user):
    return workflow.decide(
        case_id=case.pk, step_run_id=izin.pk, user=user, branch="izinkan", confirmed=ARTIFACTS
    )


# --- capacity --------------------------------------------------------------------------------


def test_a_plh_acts_in_the_role_as_plh_of_the_principal(people):
    appoint(people)
    capacity = selectors.capacity_for(people["kasubbag"], "kabag_adm_umum")
    assert capacity == selectors.Capacity("kabag_adm_umum", LABEL, people["kabag"].pk)
    # The holder of a role still acts in their own name; the Plh keeps their own role too.
    assert selectors.capacity_for(people["kabag"], "kabag_adm_umum").acting_for == ""
    assert selectors.capacity_for(people["kasubbag"], "kasubbag_umum_rt").acting_for == ""
    assert selectors.capacity_for(people["outsider"], "kabag_adm_umum") is None


def test_capacity_takes_at_most_two_queries(people, django_assert_max_num_queries):
    appoint(people)
    with django_assert_max_num_queries(2):
        selectors.capacity_for(people["kasubbag"], "kabag_adm_umum")
    with django_assert_max_num_queries(1):
        selectors.role_codes_of(people["kasubbag"])


def test_the_delegation_covers_its_dates_in_jakarta_time_inclusive(people, monday_morning):
    appoint(people, starts_on=TUESDAY, ends_on=TUESDAY + dt.timedelta(days=1))
    kasubbag = people["kasubbag"]
    # Monday 23:59 WIB is Monday 16:59 UTC: not yet.
    assert selectors.capacity_for(kasubbag, "kabag_adm_umum", at=wib(MONDAY, 23, 59)) is None
    assert selectors.capacity_for(kasubbag, "kabag_adm_umum", at=wib(TUESDAY, 0, 0)) is not None
    # Tuesday 06:30 WIB is still Monday in UTC; Jakarta's date counts.
    assert wib(TUESDAY, 6, 30).astimezone(dt.UTC).date() == MONDAY
    assert selectors.capacity_for(kasubbag, "kabag_adm_umum", at=wib(TUESDAY, 6, 30))
    last = TUESDAY + dt.timedelta(days=1)
    assert selectors.capacity_for(kasubbag, "kabag_adm_umum", at=wib(last, 23, 59)) is not None
    assert (
        selectors.capacity_for(kasubbag, "kabag_adm_umum", at=wib(last + dt.timedelta(days=1)))
        is None
    )


def test_role_codes_of_includes_the_delegated_role_only_within_the_range(people):
    appoint(people, starts_on=TUESDAY, ends_on=TUESDAY)
    kasubbag = people["kasubbag"]
    own = {"kasubbag_umum_rt"}
    assert selectors.role_codes_of(kasubbag) == own
    assert selectors.role_codes_of(kasubbag, wib(TUESDAY)) == own | {"kabag_adm_umum"}
    assert selectors.role_codes_of(kasubbag, wib(TUESDAY + dt.timedelta(days=1))) == own
    assert selectors.principals_of(kasubbag) == set()
    assert selectors.principals_of(kasubbag, wib(TUESDAY)) == {people["kabag"].pk}
    # A Plh with no role of their own gets the delegated one, and nothing more.
    appoint(people, acting=people["outsider"], starts_on=MONDAY, ends_on=MONDAY)
    assert selectors.role_codes_of(people["outsider"]) == {"kabag_adm_umum"}
    assert selectors.held_role_codes(people["outsider"]) == set()


def test_active_delegations_lists_current_and_optionally_upcoming(people):
    current = appoint(people, starts_on=MONDAY, ends_on=MONDAY)
    upcoming = appoint(people, starts_on=TUESDAY, ends_on=TUESDAY)
    assert list(selectors.active_delegations()) == [current]
    assert list(selectors.active_delegations(include_upcoming=True)) == [current, upcoming]
    assert list(selectors.active_delegations(wib(TUESDAY))) == [upcoming]


def test_an_administrator_may_appoint_a_plt_to_a_vacant_post(people):
    delegation = appoint(
        people, principal=None, kind="plt", appointed_by=people["admin"], ends_on=MONDAY
    )
    assert delegation.acting_for_label() == "Plt. Kabag Administrasi Umum"
    capacity = selectors.capacity_for(people["kasubbag"], "kabag_adm_umum")
    assert capacity == selectors.Capacity("kabag_adm_umum", "Plt. Kabag Administrasi Umum", None)


# --- the engine ------------------------------------------------------------------------------


def test_the_engine_records_the_plh_on_the_step_and_in_the_audit_trail(humas_sop, people):
    appoint(people)
    case, izin = run_case_to_izin(humas_sop, people)
    assert izin in tasks_for(people["kasubbag"])
    decide_izin(case, izin, people["kasubbag"])
    izin.refresh_from_db()
    assert izin.finished_by == people["kasubbag"]
    assert izin.outcome == "izinkan"
    assert izin.acting_for == LABEL
    event = Event.objects.get(action="workflow.step_decided", after__step="izin")
    assert event.actor == people["kasubbag"]
    assert event.acting_for == LABEL
    assert list(verify_chain()) == []


def test_after_the_last_day_the_plh_may_no_longer_act(humas_sop, people, monday_morning):
    appoint(people, ends_on=MONDAY)
    case, izin = run_case_to_izin(humas_sop, people)
    monday_morning.move_to(wib(TUESDAY, 7, 45), tick=False)
    with pytest.raises(NotPermitted):
        decide_izin(case, izin, people["kasubbag"])
    assert izin not in tasks_for(people["kasubbag"])
    decide_izin(case, izin, people["kabag"])  # the official is back


def test_a_revoked_delegation_ends_at_once(humas_sop, people):
    delegation = appoint(people)
    case, izin = run_case_to_izin(humas_sop, people)
    services.revoke_delegation(delegation_id=delegation.pk, user=people["kabag"], ip="10.0.0.5")
    with pytest.raises(NotPermitted):
        decide_izin(case, izin, people["kasubbag"])
    assert selectors.capacity_for(people["kasubbag"], "kabag_adm_umum") is None
    delegation.refresh_from_db()
    assert delegation.revoked_by == people["kabag"] and delegation.revoked_at is not None
    event = Event.objects.get(action="accounts.delegation_revoked")
    assert event.actor == people["kabag"] and event.ip == "10.0.0.5"
    assert event.before["revoked_at"] is None and event.after["revoked_at"]


# --- appointing and revoking -----------------------------------------------------------------


def test_appointing_writes_one_audit_event(people):
    delegation = appoint(people, ip="10.0.0.9")
    event = Event.objects.get(action="accounts.delegation_appointed")
    assert event.object_type == "accounts.delegation"
    assert event.object_id == str(delegation.pk)
    assert event.actor == people["kabag"] and event.ip == "10.0.0.9"
    assert event.note == "Cuti tahunan"
    assert event.after == {
        "role": "kabag_adm_umum",
        "kind": "plh",
        "acting": people["kasubbag"].pk,
        "principal": people["kabag"].pk,
        "starts_on": "2026-11-30",
        "ends_on": "2026-12-01",
        "revoked_at": None,
    }
    assert delegation.appointed_at == wib(MONDAY)


REFUSALS = {
    "end before start": (
        {"starts_on": TUESDAY, "ends_on": MONDAY},
        "Tanggal selesai tidak boleh sebelum tanggal mulai.",
    ),
    "start in the past": (
        {"starts_on": MONDAY - dt.timedelta(days=1)},
        "Plh/Plt tidak dapat dimulai pada tanggal yang sudah lewat.",
    ),
    "acting is principal": (
        {"acting": "kabag"},
        "Pejabat pelaksana tidak boleh sama dengan pejabat yang digantikan.",
    ),
    "acting holds the role": (
        {"acting": "kabag2"},
        "Wati Purnama sudah memegang peran Kabag Administrasi Umum.",
    ),
    "principal lacks the role": (
        {"principal": "outsider", "appointed_by": "outsider", "acting": "humas"},
        "Tamu Luar tidak memegang peran Kabag Administrasi Umum.",
    ),
    "appointed by someone else": (
        {"appointed_by": "kasubbag"},
        "Hanya pejabat yang digantikan atau administrator yang dapat menunjuk Plh/Plt.",
    ),
    "vacant post by a non-admin": (
        {"principal": None},
        "Hanya pejabat yang digantikan atau administrator yang dapat menunjuk Plh/Plt.",
    ),
    "no reason": ({"reason": "  "}, "Sebutkan alasannya, mis. cuti atau perjalanan dinas."),
    "unknown kind": ({"kind": "pj"}, "Pilih Plh atau Plt."),
    "unknown role": ({"role_code": "bupati"}, "Peran tidak dikenal: bupati."),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_appointment_changes_nothing(people, case):
    overrides, message = case
    overrides = {
        key: people[value] if key in ("acting", "principal", "appointed_by") and value else value
        for key, value in overrides.items()
    }
    events = Event.objects.count()
    with translation.override("id"), pytest.raises(services.DelegationError) as raised:
        appoint(people, **overrides)
    assert raised.value.message == message
    assert not Delegation.objects.exists()
    assert Event.objects.count() == events


def test_overlapping_delegations_are_refused(people, make_user):
    appoint(people, ends_on=TUESDAY)
    other = make_user("humas2", "staf_humas", full_name="Budi Santoso")
    with translation.override("id"), pytest.raises(services.DelegationError) as raised:
        appoint(people, acting=other, starts_on=TUESDAY, ends_on=TUESDAY)
    assert raised.value.message == (
        "Kabag Administrasi Umum sudah memiliki Plh/Plt dari 30 November 2026 "
        "sampai 1 Desember 2026."
    )
    # The same acting official cannot stand in for two holders of a role at once.
    kabag2 = people["kabag2"]
    with translation.override("id"), pytest.raises(services.DelegationError) as raised:
        appoint(people, principal=kabag2, appointed_by=kabag2, starts_on=TUESDAY)
    assert raised.value.message == (
        "Rina Kartika sudah menjadi Plh/Plt Kabag Administrasi Umum pada sebagian tanggal tersebut."
    )
    # After the first ends (or is revoked), the next may follow.
    wednesday = TUESDAY + dt.timedelta(days=1)
    appoint(people, acting=other, starts_on=wednesday, ends_on=wednesday)
    assert Delegation.objects.count() == 2


def test_only_the_principal_the_appointer_or_an_admin_may_revoke(people):
    delegation = appoint(people)
    for user in (people["kasubbag"], people["outsider"]):
        with pytest.raises(services.DelegationError):
            services.revoke_delegation(delegation_id=delegation.pk, user=user)
    services.revoke_delegation(delegation_id=delegation.pk, user=people["admin"])
    with translation.override("id"), pytest.raises(services.DelegationError) as raised:
        services.revoke_delegation(delegation_id=delegation.pk, user=people["admin"])
    assert raised.value.message == "Plh/Plt ini sudah dicabut."
    assert Event.objects.filter(action="accounts.delegation_revoked").count() == 1

"""The Plh/Plt page and the admin: appointing, listing, revoking, and who may see them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from warta.accounts import services
from warta.accounts.models import Delegation
from warta.audit.models import Event

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = dt.date(2026, 11, 30)
URL = "/kerja/plh/"


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, tzinfo=WIB), tick=False)


@pytest.fixture
def people(humas_sop, make_user):
    return {
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt", full_name="Rina Kartika"),
        "kabag": make_user("kabag", "kabag_adm_umum", full_name="Agus Prasetyo"),
        "outsider": make_user("outsider", full_name="Tamu Luar"),
        "admin": make_user("admin", superuser=True, full_name="Admin Warta"),
    }


def form_data(people, **overrides):
    from warta.accounts.models import Role

    data = {
        "role": Role.objects.get(code="kabag_adm_umum").pk,
        "kind": "plh",
        "acting": people["kasubbag"].pk,
        "starts_on": "2026-11-30",
        "ends_on": "2026-12-04",
        "reason": "Perjalanan dinas ke Jakarta",
    }
    data.update(overrides)
    return data


def test_the_principal_appoints_sees_and_revokes_a_plh(client, people):
    client.force_login(people["kabag"])
    page = client.get(URL)
    assert page.status_code == 200
    assert "Tidak ada pejabat pelaksana saat ini." in page.content.decode()

    response = client.post(URL, form_data(people), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    delegation = Delegation.objects.get()
    assert delegation.principal == people["kabag"]
    assert delegation.appointed_by == people["kabag"]
    body = response.content.decode()
    assert (
        "Rina Kartika menjadi Plh. Kabag Administrasi Umum dari 30 November 2026 sampai "
        "4 Desember 2026." in body
    )
    assert "Perjalanan dinas ke Jakarta" in body
    assert "berlaku" in body
    assert f'action="/kerja/plh/{delegation.pk}/cabut/"' in body
    assert Event.objects.filter(action="accounts.delegation_appointed").count() == 1

    response = client.post(f"/kerja/plh/{delegation.pk}/cabut/", follow=True)
    assert "Plh. Kabag Administrasi Umum dicabut." in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_by == people["kabag"]
    assert "Tidak ada pejabat pelaksana saat ini." in response.content.decode()


def test_the_plh_sees_the_page_but_no_revoke_button_and_may_not_revoke(client, people):
    delegation = services.appoint_delegation(
        role_code="kabag_adm_umum",
        acting=people["kasubbag"],
        principal=people["kabag"],
        starts_on=MONDAY,
        ends_on=MONDAY,
        kind="plh",
        reason="Cuti",
        appointed_by=people["kabag"],
    )
    client.force_login(people["kasubbag"])
    body = client.get(URL).content.decode()
    assert "Plh. Kabag Administrasi Umum" in body
    assert "/cabut/" not in body
    response = client.post(f"/kerja/plh/{delegation.pk}/cabut/", follow=True)
    assert "Hanya pejabat yang digantikan" in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_at is None


def test_a_refused_appointment_shows_the_reason_and_saves_nothing(client, people):
    client.force_login(people["kabag"])
    response = client.post(URL, form_data(people, starts_on="2026-12-04", ends_on="2026-11-30"))
    assert response.status_code == 400
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai." in response.content.decode()
    response = client.post(URL, form_data(people, reason="", acting=""))
    assert response.status_code == 400
    assert "Bidang ini tidak boleh kosong." in response.content.decode()
    assert not Delegation.objects.exists()
    assert not Event.objects.filter(action__startswith="accounts.").exists()


def test_an_official_offers_only_their_own_roles_and_an_admin_chooses_the_principal(client, people):
    client.force_login(people["kasubbag"])
    body = client.get(URL).content.decode()
    assert "Kasubbag Umum dan Rumah Tangga</option>" in body
    assert "Kabag Administrasi Umum</option>" not in body
    assert 'name="principal"' not in body
    # Posting another role is refused by the form.
    response = client.post(URL, form_data(people, acting=people["kabag"].pk))
    assert response.status_code == 400

    client.force_login(people["admin"])
    assert 'name="principal"' in client.get(URL).content.decode()
    response = client.post(URL, form_data(people, principal=people["kabag"].pk, kind="plt"))
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.appointed_by == people["admin"]
    assert delegation.principal == people["kabag"]
    assert delegation.acting_for_label() == "Plt. Kabag Administrasi Umum"


def test_people_without_a_role_get_403_and_strangers_the_login(client, people):
    client.force_login(people["outsider"])
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(people)).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302
    assert "/masuk/?next=/kerja/plh/" in response["Location"]


def test_the_admin_appoints_through_the_service_and_revokes_with_an_action(client, people):
    client.force_login(people["admin"])
    assert client.get("/admin/accounts/delegation/").status_code == 200
    assert client.get("/admin/accounts/delegation/add/").status_code == 200
    data = form_data(people, principal=people["kabag"].pk)
    refused = client.post("/admin/accounts/delegation/add/", {**data, "starts_on": "2026-11-01"})
    assert refused.status_code == 200
    assert "Plh/Plt tidak dapat dimulai pada tanggal yang sudah lewat." in refused.content.decode()
    backwards = {**data, "starts_on": "2026-12-05"}
    refused = client.post("/admin/accounts/delegation/add/", backwards)
    assert refused.content.decode().count("Tanggal selesai tidak boleh sebelum") == 1
    assert not Delegation.objects.exists()

    response = client.post("/admin/accounts/delegation/add/", data)
    assert response.status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.appointed_by == people["admin"]
    event = Event.objects.get(action="accounts.delegation_appointed")
    assert event.object_id == str(delegation.pk)
    assert client.get(f"/admin/accounts/delegation/{delegation.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/delegation/?status=current").status_code == 200

    response = client.post(
        "/admin/accounts/delegation/",
        {"action": "revoke_selected", "_selected_action": [delegation.pk]},
        follow=True,
    )
    assert "1 Plh/Plt dicabut." in response.content.decode()
    delegation.refresh_from_db()
    assert delegation.revoked_by == people["admin"]

"""The second factor is required on every request, not only at sign-in: a session that began
before the rule applied to the person (a role added to ``WARTA_OTP_REQUIRED_ROLES``, a new Plh
of such a role, someone made staff) is sent to the code page until it passes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.accounts.test_otp import MORNING, shown_secret, totp_code
from tests.newsroom import conftest as newsroom_fixtures
from warta.audit.models import Event

people = newsroom_fixtures.people  # shared fixtures
new_item = newsroom_fixtures.new_item
REQUIRED = "kabag_adm_umum"  # the shipped SOP's approver
SETUP = "/masuk/aplikasi-autentikator/"
CODE = "/masuk/kode/"


@pytest.fixture(autouse=True)
def morning(time_machine, settings, humas_sop):
    time_machine.move_to(MORNING, tick=False)
    settings.WARTA_OTP_REQUIRED_ROLES = []
    settings.WARTA_ADMIN_NETWORKS = []
    settings.WARTA_TRUSTED_PROXIES = []


def test_a_role_added_to_the_rule_reaches_a_session_that_began_before(client, people, settings):
    client.force_login(people["kabag"])
    assert client.get("/kerja/").status_code == 200  # no rule yet
    settings.WARTA_OTP_REQUIRED_ROLES = [REQUIRED]

    response = client.get("/kerja/?tab=semua")
    assert response.status_code == 302
    assert response["Location"] == SETUP + "?next=%2Fkerja%2F%3Ftab%3Dsemua"
    assert client.get("/kerja/notifikasi/").status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Konfirmasi masuk Anda dengan faktor kedua" in page.content.decode()

    # Setting the app up verifies this session; the recovery codes lead back to the page asked.
    secret = shown_secret(page.content.decode())
    done = client.post(response["Location"], {"token": totp_code(secret, MORNING)})
    assert done["Location"] == "/akun/kode-pemulihan/"
    codes_page = client.get(done["Location"]).content.decode()
    assert 'href="/kerja/?tab=semua"' in codes_page
    assert client.get("/kerja/").status_code == 200
    assert Event.objects.filter(action="accounts.second_factor_added").count() == 1


def test_with_a_device_the_code_page_is_asked_and_passes_the_session(
    client, people, settings, time_machine
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    kabag = people["kabag"]
    device = TOTPDevice.objects.create(user=kabag, name="authenticator", confirmed=True)
    client.force_login(kabag)  # a password-only session from before the rule
    settings.WARTA_OTP_REQUIRED_ROLES = [REQUIRED]
    response = client.get("/kerja/plh/")
    assert response["Location"] == CODE + "?next=%2Fkerja%2Fplh%2F"

    secret = _base32(device.bin_key)
    later = MORNING + dt.timedelta(minutes=2)
    time_machine.move_to(later, tick=False)
    passed = client.post(response["Location"], {"token": totp_code(secret, later)})
    assert passed["Location"] == "/kerja/plh/"
    assert client.get("/kerja/plh/").status_code == 200
    event = Event.objects.get(action="accounts.second_factor_passed")
    assert event.actor == kabag


def test_someone_made_staff_during_a_session_must_set_up_the_second_factor(client, make_user):
    sari = make_user("sari", "staf_humas")
    client.force_login(sari)
    assert client.get("/kerja/").status_code == 200
    sari.is_staff = True
    sari.save(update_fields=["is_staff"])
    assert client.get("/kerja/")["Location"].startswith(SETUP)
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_a_new_plh_of_a_required_role_must_pass_it(client, people, settings):
    from warta.accounts.selectors import local_date
    from warta.accounts.services import appoint_delegation

    settings.WARTA_OTP_REQUIRED_ROLES = [REQUIRED]
    kasubbag = people["kasubbag"]
    client.force_login(kasubbag)
    assert client.get("/kerja/").status_code == 200
    appoint_delegation(
        role_code=REQUIRED,
        acting=kasubbag,
        principal=people["kabag"],
        starts_on=local_date(),
        ends_on=local_date() + dt.timedelta(days=1),
        kind="plh",
        reason="Dinas luar",
        appointed_by=people["kabag"],
    )
    assert client.get("/kerja/")["Location"].startswith(SETUP)


def test_sign_out_the_language_switch_and_static_files_stay_reachable(client, people, settings):
    settings.WARTA_OTP_REQUIRED_ROLES = [REQUIRED]
    client.force_login(people["kabag"])
    assert client.get(SETUP).status_code == 200
    assert client.get(CODE)["Location"] == SETUP  # no device yet: the code page sends on
    language = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert language["Location"] == "/masuk/"
    static = client.get("/static/warta/warta.css")
    assert not static.get("Location", "").startswith(SETUP)
    signed_out = client.post("/keluar/")
    assert signed_out.status_code == 302 and not signed_out["Location"].startswith(SETUP)
    assert "_auth_user_id" not in client.session
    assert Event.objects.filter(action="accounts.signed_out").count() == 1


def test_the_autosave_gets_a_json_refusal_and_changes_nothing(client, people, new_item, settings):
    item = new_item(author=people["humas"])
    settings.WARTA_OTP_REQUIRED_ROLES = ["staf_humas"]
    client.force_login(people["humas"])
    response = client.post(
        f"/kerja/berita/{item.pk}/simpan-otomatis/",
        {"base_version": item.edit_version, "body": "<p>Ketikan baru</p>"},
        HTTP_X_REQUESTED_WITH="fetch",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "second-factor"
    assert response.json()["ok"] is False and response.json()["error"]
    item.refresh_from_db()
    assert "Ketikan baru" not in item.body
    bell = client.get("/kerja/notifikasi/jumlah/", HTTP_ACCEPT="application/json")
    assert bell.status_code == 403


def test_a_form_sent_with_post_returns_to_the_page_it_was_on(client, people, settings):
    settings.WARTA_OTP_REQUIRED_ROLES = [REQUIRED]
    client.force_login(people["kabag"])
    response = client.post(
        "/kerja/notifikasi/baca-semua/", HTTP_REFERER="http://testserver/kerja/notifikasi/"
    )
    assert response["Location"] == SETUP + "?next=http%3A%2F%2Ftestserver%2Fkerja%2Fnotifikasi%2F"
    foreign = client.post("/kerja/notifikasi/baca-semua/", HTTP_REFERER="https://evil.example/")
    assert foreign["Location"] == SETUP


def test_people_who_need_no_second_factor_pay_no_query_for_the_rule(
    client, people, new_item, settings, django_assert_max_num_queries
):
    new_item(author=people["humas"])
    client.force_login(people["humas"])
    client.get("/kerja/")  # warm up (session, caches)
    with CaptureQueriesContext(connection) as without_rule:
        assert client.get("/kerja/").status_code == 200
    settings.WARTA_OTP_REQUIRED_ROLES = [REQUIRED]
    with django_assert_max_num_queries(len(without_rule)):
        assert client.get("/kerja/").status_code == 200


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode().rstrip("=")

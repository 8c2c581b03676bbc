"""Signing in and out: lockout per account and per address, the audit trail with the real
client address, idle sign-out, and password changes that end the other sessions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessAttempt

from tests.newsroom import conftest as newsroom_fixtures
from warta.audit.models import Event

WIB = ZoneInfo("Asia/Jakarta")
LOGIN = "/masuk/"
PASSWORD = "x-test-password"
people = newsroom_fixtures.people  # shared fixtures
new_item = newsroom_fixtures.new_item


@pytest.fixture(autouse=True)
def limits(settings, humas_sop):
    settings.AXES_FAILURE_LIMIT = 3
    settings.WARTA_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
    settings.WARTA_TRUSTED_PROXIES = []
    settings.WARTA_OTP_REQUIRED_ROLES = []


def sign_in(client, username, password=PASSWORD, address="192.0.2.10", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def actions():
    events = Event.objects.filter(action__startswith="accounts.").order_by("seq")
    return list(events.values_list("action", flat=True))


def test_an_account_is_locked_after_repeated_failures_with_an_indonesian_message(client, make_user):
    make_user("sari")
    for _ in range(2):
        response = sign_in(client, "sari", "salah")
        assert response.status_code == 200
        assert "Masukkan nama pengguna dan kata sandi yang benar" in response.content.decode()
    response = sign_in(client, "sari", "salah")
    body = response.content.decode()
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in body
    assert "15 menit" in body
    assert 'value="sari"' in body  # the name typed is kept
    # Even the right password is refused now, from another address too (per account).
    response = sign_in(client, "sari", address="198.51.100.77")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert actions() == [
        "accounts.sign_in_failed",
        "accounts.sign_in_failed",
        "accounts.locked_out",
        "accounts.locked_out",
    ]


def test_the_lockout_ends_after_the_cool_off_time(client, make_user, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, tzinfo=WIB), tick=False)
    make_user("sari")
    for _ in range(3):
        sign_in(client, "sari", "salah")
    assert sign_in(client, "sari").status_code == 429
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 16, tzinfo=WIB), tick=False)
    assert sign_in(client, "sari").status_code == 302


def test_an_address_is_locked_after_failures_on_many_accounts(client, make_user):
    make_user("rina")
    for name in ("a1", "a2", "a3", "a4"):
        assert sign_in(client, name, "salah", address="203.0.113.9").status_code == 200
    assert sign_in(client, "a5", "salah", address="203.0.113.9").status_code == 429
    # rina never failed, but her sign-in from the locked address is refused ...
    assert sign_in(client, "rina", address="203.0.113.9").status_code == 429
    # ... and works from anywhere else.
    assert sign_in(client, "rina", address="203.0.113.10").status_code == 302


def test_the_admin_unlocks_an_account_and_it_is_audited(client, make_user):
    sari = make_user("sari")
    for _ in range(3):
        sign_in(client, "sari", "salah")
    assert AccessAttempt.objects.filter(username="sari").exists()

    admin_client = type(client)()
    admin_client.force_login(make_user("admin", superuser=True))
    response = admin_client.post(
        "/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [sari.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="sari").exists()
    event = Event.objects.get(action="accounts.sign_in_unlocked")
    assert event.actor.username == "admin" and event.after["username"] == "sari"
    assert sign_in(client, "sari").status_code == 302


def test_the_audit_trail_has_the_client_behind_a_trusted_proxy(client, make_user, settings):
    make_user("sari")
    settings.WARTA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.7"}
    sign_in(client, "sari", "salah", address="10.0.0.2", **proxied)
    assert AccessAttempt.objects.get(username="sari").ip_address == "203.0.113.7"
    sign_in(client, "sari", address="10.0.0.2", **proxied)
    client.post("/keluar/", REMOTE_ADDR="10.0.0.2", **proxied)
    events = list(Event.objects.filter(action__startswith="accounts.").order_by("seq"))
    assert [e.action for e in events] == [
        "accounts.sign_in_failed",
        "accounts.signed_in",
        "accounts.signed_out",
    ]
    # The proxy's own address is not the client, nor is the left-most (client-written) entry.
    assert {e.ip for e in events} == {"203.0.113.7"}


def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(client, make_user, settings):
    make_user("sari")
    settings.WARTA_TRUSTED_PROXIES = ["10.0.0.0/8"]
    sign_in(client, "sari", address="192.0.2.50", HTTP_X_FORWARDED_FOR="203.0.113.7")
    event = Event.objects.get(action="accounts.signed_in")
    assert event.ip == "192.0.2.50"
    assert event.actor.username == "sari" and event.after["second_factor"] == ""


def test_idle_sessions_end_but_the_bell_poll_does_not_keep_them_alive(
    client, make_user, settings, time_machine
):
    settings.WARTA_SESSION_IDLE_MINUTES = 30
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, tzinfo=WIB), tick=False)
    make_user("sari", "staf_humas")
    assert sign_in(client, "sari").status_code == 302
    assert client.get("/kerja/").status_code == 200
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 20, tzinfo=WIB), tick=False)
    assert client.get("/kerja/notifikasi/jumlah/").status_code == 200  # the bell: not activity
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, 31, tzinfo=WIB), tick=False)
    response = client.get("/kerja/", follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "Anda keluar otomatis karena tidak aktif" in response.content.decode()
    event = Event.objects.filter(action="accounts.signed_out").get()
    assert event.after["reason"] == "idle"


def test_the_editors_autosave_counts_as_activity(client, people, new_item, settings, time_machine):
    settings.WARTA_SESSION_IDLE_MINUTES = 30
    time_machine.move_to(dt.datetime(2026, 11, 30, 9, tzinfo=WIB), tick=False)
    item = new_item()
    assert sign_in(client, "humas").status_code == 302
    for minute in (25, 50):  # each autosave within 30 minutes of the previous one
        time_machine.move_to(dt.datetime(2026, 11, 30, 9, minute, tzinfo=WIB), tick=False)
        item.refresh_from_db()
        response = client.post(
            f"/kerja/berita/{item.pk}/simpan-otomatis/",
            {"base_version": item.edit_version, "body": f"<p>Menit {minute}</p>"},
        )
        assert response.status_code == 200, response.content
    time_machine.move_to(dt.datetime(2026, 11, 30, 10, 10, tzinfo=WIB), tick=False)
    assert client.get("/kerja/").status_code == 200
    assert not Event.objects.filter(action="accounts.signed_out").exists()


def test_a_password_change_signs_out_the_other_sessions_only(client, make_user):
    make_user("sari", "staf_humas")
    other = type(client)()
    assert sign_in(client, "sari").status_code == 302
    assert sign_in(other, "sari", address="192.0.2.99").status_code == 302
    assert other.get("/kerja/").status_code == 200

    response = client.post(
        "/akun/kata-sandi/",
        {
            "old_password": PASSWORD,
            "new_password1": "Kopi-Tubruk-2026!",
            "new_password2": "Kopi-Tubruk-2026!",
        },
    )
    assert response.status_code == 302
    assert client.get("/kerja/").status_code == 200  # this session stays
    assert other.get("/kerja/").status_code == 302  # the other one is signed out
    assert Event.objects.filter(action="accounts.password_changed").count() == 1
    assert sign_in(type(client)(), "sari", "Kopi-Tubruk-2026!").status_code == 302


def test_a_wrong_old_password_changes_nothing_and_keeps_the_form(client, make_user):
    make_user("sari", "staf_humas")
    sign_in(client, "sari")
    response = client.post(
        "/akun/kata-sandi/",
        {"old_password": "salah", "new_password1": "Kopi-Tubruk-2026!", "new_password2": "x"},
    )
    assert response.status_code == 400
    assert not Event.objects.filter(action="accounts.password_changed").exists()


def test_the_administrator_sets_a_new_password_and_it_is_audited(client, make_user):
    sari = make_user("sari", "staf_humas")
    sari_client = type(client)()
    sign_in(sari_client, "sari")
    client.force_login(make_user("admin", superuser=True))
    response = client.post(
        f"/admin/auth/user/{sari.pk}/password/",
        {
            "password1": "Sementara-2026!",
            "password2": "Sementara-2026!",
            "set_usable_password": "true",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(action="accounts.password_reset")
    assert event.actor.username == "admin" and event.after["username"] == "sari"
    assert sari_client.get("/kerja/").status_code == 302  # her old session ends
    assert sign_in(type(client)(), "sari", "Sementara-2026!").status_code == 302


def test_the_sign_in_page_explains_the_assisted_reset(client):
    body = client.get(LOGIN).content.decode()
    assert "Lupa kata sandi?" in body
    assert "administrator" in body


def test_the_sign_in_error_names_the_user_name_once(client, make_user):
    make_user("sari")
    body = sign_in(client, "sari", "salah").content.decode()
    assert "nama pengguna nama pengguna" not in body
    assert "Masukkan nama pengguna dan kata sandi yang benar" in body

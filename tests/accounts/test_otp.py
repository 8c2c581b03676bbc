"""The second factor: TOTP set-up and sign-in (codes computed here per RFC 6238, not by
django-otp), recovery codes, who must use it, and the admin behind it."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import struct
from zoneinfo import ZoneInfo

import pytest
from django_otp import DEVICE_ID_SESSION_KEY

from warta.audit.models import Event

WIB = ZoneInfo("Asia/Jakarta")
PASSWORD = "x-test-password"
MORNING = dt.datetime(2026, 11, 30, 9, tzinfo=WIB)


def totp_code(secret: str, at: dt.datetime) -> str:
    """RFC 6238 with SHA-1, 30-second steps and 6 digits, from the base32 secret shown."""
    secret = secret.replace(" ", "").upper()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int(at.timestamp()) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def shown_secret(body: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', body).group(1)


@pytest.fixture(autouse=True)
def morning(time_machine, settings, humas_sop):
    time_machine.move_to(MORNING, tick=False)
    settings.WARTA_OTP_REQUIRED_ROLES = []
    settings.WARTA_ADMIN_NETWORKS = []
    settings.WARTA_TRUSTED_PROXIES = []


def password_step(client, username):
    return client.post("/masuk/", {"username": username, "password": PASSWORD})


def set_up(client, username, time_machine) -> tuple[str, list[str]]:
    """Sign in with the password, set up TOTP, and return the secret and recovery codes."""
    response = password_step(client, username)
    assert response["Location"] == "/masuk/aplikasi-autentikator/"
    page = client.get("/masuk/aplikasi-autentikator/")
    body = page.content.decode()
    assert "<svg" in body and "<script" not in body
    secret = shown_secret(body)
    response = client.post("/masuk/aplikasi-autentikator/", {"token": totp_code(secret, MORNING)})
    assert response["Location"] == "/akun/kode-pemulihan/"
    codes = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.get(response["Location"]).content.decode()
    )
    time_machine.move_to(MORNING + dt.timedelta(minutes=1), tick=False)
    return secret, codes


def test_an_administrator_must_set_up_totp_and_is_then_signed_in(client, make_user, time_machine):
    make_user("admin", superuser=True)
    response = password_step(client, "admin")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session  # not signed in by the password alone
    assert client.get("/kerja/").status_code == 302
    assert client.get("/admin/").status_code == 302

    page = client.get("/masuk/aplikasi-autentikator/").content.decode()
    secret = shown_secret(page)
    wrong = client.post("/masuk/aplikasi-autentikator/", {"token": "000000"})
    assert wrong.status_code == 400 and "Kode itu salah" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post("/masuk/aplikasi-autentikator/", {"token": totp_code(secret, MORNING)})
    assert response.status_code == 302
    codes_page = client.get("/akun/kode-pemulihan/").content.decode()
    assert len(re.findall(r"<li><code>", codes_page)) == 10
    # The codes are shown once.
    assert client.get("/akun/kode-pemulihan/").status_code == 302
    assert client.get("/admin/").status_code == 200
    signed_in = Event.objects.get(action="accounts.signed_in")
    assert signed_in.after["second_factor"] == "totp"
    assert Event.objects.filter(action="accounts.second_factor_added").count() == 1


def test_with_a_device_the_code_is_asked_and_cannot_be_used_twice(client, make_user, time_machine):
    make_user("admin", superuser=True)
    secret, _codes = set_up(client, "admin", time_machine)
    client.post("/keluar/")

    assert password_step(client, "admin")["Location"] == "/masuk/kode/"
    wrong = client.post("/masuk/kode/", {"token": "123456"})
    assert wrong.status_code == 400
    assert Event.objects.filter(action="accounts.second_factor_failed").count() == 1
    time_machine.move_to(MORNING + dt.timedelta(minutes=2), tick=False)  # past the throttle
    code = totp_code(secret, MORNING + dt.timedelta(minutes=2))
    assert client.post("/masuk/kode/", {"token": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.post("/keluar/")

    password_step(client, "admin")
    assert client.post("/masuk/kode/", {"token": code}).status_code == 400  # replayed


def test_a_recovery_code_works_once(client, make_user, time_machine):
    make_user("admin", superuser=True)
    _secret, codes = set_up(client, "admin", time_machine)
    assert len(codes) == 10
    client.post("/keluar/")

    password_step(client, "admin")
    response = client.post("/masuk/kode/", {"token": codes[0].upper()})
    assert response.status_code == 302
    assert Event.objects.filter(action="accounts.signed_in").last().after["second_factor"] == (
        "recovery"
    )
    client.post("/keluar/")

    time_machine.move_to(MORNING + dt.timedelta(minutes=5), tick=False)
    password_step(client, "admin")
    assert client.post("/masuk/kode/", {"token": codes[0]}).status_code == 400
    assert "_auth_user_id" not in client.session


def test_recovery_codes_are_regenerated_and_the_old_ones_stop(client, make_user, time_machine):
    make_user("admin", superuser=True)
    _secret, old = set_up(client, "admin", time_machine)
    response = client.post("/akun/kode-pemulihan/")
    assert response["Location"] == "/akun/kode-pemulihan/"
    new = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.get("/akun/kode-pemulihan/").content.decode()
    )
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/keluar/")
    password_step(client, "admin")
    assert client.post("/masuk/kode/", {"token": old[1]}).status_code == 400


def test_staff_without_a_verified_session_cannot_use_the_admin(client, make_user):
    admin = make_user("admin", superuser=True)
    client.force_login(admin)
    session = client.session
    del session[DEVICE_ID_SESSION_KEY]
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/masuk/aplikasi-autentikator/?next=%2Fadmin%2F"
    assert client.get("/admin/login/")["Location"].startswith("/masuk/aplikasi-autentikator/")


def test_a_member_without_staff_rights_gets_no_admin(client, make_user):
    client.force_login(make_user("sari", "staf_humas"))
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def test_people_without_a_required_role_sign_in_with_the_password_only(client, make_user, settings):
    settings.WARTA_OTP_REQUIRED_ROLES = ["kabag_adm_umum"]
    make_user("humas", "staf_humas")
    make_user("kabag", "kabag_adm_umum")
    assert password_step(client, "humas")["Location"] == "/kerja/"
    other = type(client)()
    assert password_step(other, "kabag")["Location"] == "/masuk/aplikasi-autentikator/"
    assert "_auth_user_id" not in other.session


def test_the_admin_is_limited_to_the_configured_networks(client, make_user, settings):
    settings.WARTA_ADMIN_NETWORKS = ["10.20.0.0/16"]
    settings.WARTA_TRUSTED_PROXIES = ["127.0.0.1"]
    client.force_login(make_user("admin", superuser=True))
    outside = client.get("/admin/", REMOTE_ADDR="192.0.2.10")
    assert outside.status_code == 403
    assert "hanya dapat dibuka dari jaringan instansi" in outside.content.decode()
    assert client.get("/admin/login/", REMOTE_ADDR="192.0.2.10").status_code == 403
    assert client.get("/admin/", REMOTE_ADDR="10.20.3.4").status_code == 200
    # Behind the trusted proxy the client's address counts, not the proxy's.
    via_proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.20.3.4"}
    assert client.get("/admin/", **via_proxy).status_code == 200
    via_proxy["HTTP_X_FORWARDED_FOR"] = "192.0.2.10"
    assert client.get("/admin/", **via_proxy).status_code == 403
    # The rest of Warta is not limited.
    assert client.get("/kerja/", REMOTE_ADDR="192.0.2.10").status_code == 200

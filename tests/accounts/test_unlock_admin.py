"""Every way to end a sign-in lockout in the admin is audited: the axes pages are read-only and
offer only the audited unlock actions (per account, per address); nothing can delete their rows."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import Permission

from tests.accounts.test_signin import sign_in
from warta.audit.models import Event

ATTEMPTS = "/admin/axes/accessattempt/"


@pytest.fixture(autouse=True)
def limits(settings, humas_sop):
    settings.AXES_FAILURE_LIMIT = 3
    settings.WARTA_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.25
    settings.WARTA_TRUSTED_PROXIES = []
    settings.WARTA_OTP_REQUIRED_ROLES = []
    settings.WARTA_ADMIN_NETWORKS = []


@pytest.fixture
def admin_client(client, make_user):
    other = type(client)(raise_request_exception=False)
    other.force_login(make_user("admin", superuser=True))
    return other


def unlocks():
    return list(Event.objects.filter(action="accounts.sign_in_unlocked").order_by("seq"))


def test_unlocking_the_accounts_of_selected_attempts_is_audited(client, make_user, admin_client):
    make_user("sari")
    for _ in range(3):
        sign_in(client, "sari", "salah")
    assert sign_in(client, "sari").status_code == 429
    attempt = AccessAttempt.objects.get(username="sari")

    page = admin_client.get(ATTEMPTS).content.decode()
    assert 'value="unlock_accounts"' in page and 'value="delete_selected"' not in page
    response = admin_client.post(
        ATTEMPTS, {"action": "unlock_accounts", "_selected_action": [attempt.pk]}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="sari").exists()
    [event] = unlocks()
    assert event.actor.username == "admin"
    assert event.after["username"] == "sari" and event.after["records"] >= 1
    assert sign_in(client, "sari").status_code == 302


def test_unlocking_an_address_is_audited(client, make_user, admin_client):
    for name in ("a", "b", "c", "d", "e"):
        sign_in(client, name, "salah", address="198.51.100.7")
    make_user("budi")
    assert sign_in(client, "budi", address="198.51.100.7").status_code == 429
    selected = list(AccessAttempt.objects.values_list("pk", flat=True))

    response = admin_client.post(
        ATTEMPTS, {"action": "unlock_addresses", "_selected_action": selected}
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(ip_address="198.51.100.7").exists()
    [event] = unlocks()
    assert event.after["address"] == "198.51.100.7" and event.after["username"] == ""
    assert sign_in(client, "budi", address="198.51.100.7").status_code == 302


def test_no_admin_page_deletes_lockout_records(client, make_user, admin_client):
    make_user("sari")
    for _ in range(3):
        sign_in(client, "sari", "salah")
    attempt = AccessAttempt.objects.get(username="sari")
    failure = AccessFailureLog.objects.create(
        username="sari", ip_address="192.0.2.10", user_agent="x", http_accept="x", path_info="/"
    )

    assert admin_client.get(f"{ATTEMPTS}{attempt.pk}/delete/").status_code == 403
    assert admin_client.post(f"{ATTEMPTS}{attempt.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(ATTEMPTS, {"action": "delete_selected", "_selected_action": [attempt.pk]})
    admin_client.post(
        ATTEMPTS,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert admin_client.get(f"{ATTEMPTS}{attempt.pk}/change/").status_code == 200  # to look at
    saved = admin_client.post(f"{ATTEMPTS}{attempt.pk}/change/", {"failures_since_start": 0})
    assert saved.status_code == 403
    url = f"/admin/axes/accessfailurelog/{failure.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert AccessFailureLog.objects.filter(pk=failure.pk).exists()
    attempt.refresh_from_db()
    assert attempt.failures_since_start == 3
    assert sign_in(client, "sari").status_code == 429
    assert unlocks() == []


def test_staff_who_may_only_look_cannot_unlock(client, make_user):
    make_user("sari")
    for _ in range(3):
        sign_in(client, "sari", "salah")
    helper = make_user("helpdesk")
    helper.is_staff = True
    helper.save(update_fields=["is_staff"])
    helper.user_permissions.add(Permission.objects.get(codename="view_accessattempt"))
    staff = type(client)()
    staff.force_login(helper)
    attempt = AccessAttempt.objects.get(username="sari")
    assert 'value="unlock_accounts"' not in staff.get(ATTEMPTS).content.decode()
    staff.post(ATTEMPTS, {"action": "unlock_accounts", "_selected_action": [attempt.pk]})
    assert AccessAttempt.objects.filter(username="sari").exists()
    assert unlocks() == []

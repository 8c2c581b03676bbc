"""The demo administrator sets up the second factor in the browser on first sign-in."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from tests.accounts.test_otp import totp_code
from tests.browser.conftest import PASSWORD

KNOWN_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex
KNOWN_SECRET = "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ"


def sign_in_with_second_factor(page, username: str, next_path: str = "/admin/") -> None:
    """For browser tests that need the admin: give ``username`` an authenticator app with a
    known key (test set-up), sign in with the password and type the app's current code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from warta.accounts import otp

    user = TOTPDevice._meta.get_field("user").related_model.objects.get(username=username)
    if otp.totp_device_of(user) is None:
        TOTPDevice.objects.create(user=user, name="browser-test", key=KNOWN_KEY, confirmed=True)
    page.goto(f"/masuk/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/masuk/kode/"))
    page.fill("#id_token", totp_code(KNOWN_SECRET, timezone.now()))
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(re.escape(next_path)))


def test_the_admin_sets_up_totp_in_the_browser_and_reaches_the_admin(
    make_user, open_browser, shoot
):
    make_user("admin", superuser=True, full_name="Administrator Warta")
    page = open_browser()
    page.goto("/masuk/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/masuk/aplikasi-autentikator/"))
    assert page.locator(".qr svg").count() == 1
    shoot(page, "80-otp-setup")

    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_token", totp_code(secret, timezone.now()))
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/akun/kode-pemulihan/"))
    assert page.locator("#recovery-codes li").count() == 10
    shoot(page, "81-recovery-codes")

    page.click("a.btn-primary")
    page.wait_for_url(re.compile(r"/kerja/"))
    page.goto("/admin/")
    assert page.locator("#site-name, #header").count() >= 1
    assert "/masuk/" not in page.url

    # Signing in again asks for the code from the app.
    page.context.clear_cookies()
    page.goto("/masuk/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/masuk/kode/"))
    later = timezone.now() + dt.timedelta(seconds=30)  # the code after the one just used
    page.fill("#id_token", totp_code(secret, later))
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(re.compile(r"/kerja/"))


def test_the_helper_signs_an_administrator_into_the_admin(make_user, open_browser):
    make_user("admin", superuser=True)
    page = open_browser()
    sign_in_with_second_factor(page, "admin")
    assert page.locator("#site-name, #header").count() >= 1

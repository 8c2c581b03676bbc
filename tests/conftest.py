"""Shared fixtures: users with roles, loaded SOP definitions, and the test database notice."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(__file__).parent.parent / "src/warta/sop/definitions"

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE: "dev" (default), "ci" (scripts/test.sh:
# the same examples on every run) and "long" (make test-long). Tests that set their own
# max_examples keep it; the engine state machine takes its size from the profile.
hypothesis_settings.register_profile("dev", max_examples=15, stateful_step_count=40, deadline=None)
hypothesis_settings.register_profile(
    "ci",
    max_examples=15,
    stateful_step_count=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
)
hypothesis_settings.register_profile(
    "long", max_examples=400, stateful_step_count=80, deadline=None, print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_configure(config):
    """The test database lives in the data dir, which importing the settings does not create."""
    from django.conf import settings

    from warta.config import datadir

    datadir.prepare(settings.DATA_DIR)


def pytest_report_header(config):
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    return f"warta test database: {engine} ({os.environ.get('WARTA_TEST_SUITE', 'default')})"


@pytest.fixture
def make_user(db, django_user_model):
    from warta.accounts.services import grant_role

    def make(username: str, *roles: str, full_name: str = "", superuser: bool = False):
        first, _, last = (full_name or username.title()).partition(" ")
        user = django_user_model.objects.create_user(
            username=username,
            password="x-test-password",
            first_name=first,
            last_name=last,
            is_superuser=superuser,
            is_staff=superuser,
        )
        for role in roles:
            grant_role(user=user, role_code=role)
        return user

    return make


def _load(path: Path):
    from warta.sop.services import load_sop

    return load_sop(path_or_text=path)


@pytest.fixture
def humas_sop(db):
    return _load(SHIPPED / "sdm-6-ot-02-02-3002.yaml")


@pytest.fixture
def room_sop(db):
    return _load(FIXTURES / "sop-peminjaman-ruang.yaml")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing passwords for dozens of test users with PBKDF2 would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without a collectstatic manifest (production uses the hashed storage)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _own_public_pages(settings, tmp_path_factory):
    """Each test its own directory of pre-rendered public pages (warta.site.pages): a page
    stored by one test must not be served to the next, whose database has other items."""
    settings.STORAGES = {
        **settings.STORAGES,
        "public_pages": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("public"))},
        },
    }


@pytest.fixture(autouse=True)
def _staff_sessions_pass_the_second_factor(monkeypatch):
    """``force_login`` stands for a finished sign-in, and for staff that includes the second
    factor (the admin requires it). Tests of the sign-in itself post to the real pages
    (tests/accounts/test_signin*.py, test_otp*.py)."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if user.is_staff:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_static.models import StaticDevice

            device, _ = StaticDevice.objects.get_or_create(user=user, name="test-session")
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login)

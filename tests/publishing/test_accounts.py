"""Channel accounts and channel texts (``publishing.account_services``): credentials sealed and
never shown, kept when left empty; the connection test recorded with the token's expiry; texts
saved all-or-nothing within the platform's limit; each write with its audit event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from warta.audit.actions import is_registered, register_action
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.publishing import account_services as accounts
from warta.publishing import secrets
from warta.publishing.models import ChannelAccount, ChannelText
from warta.publishing.platforms.base import (
    ConnectionInfo,
    CredentialField,
    Platform,
    TokenExpired,
)

EXPIRES = dt.datetime(2027, 1, 15, 3, 0, tzinfo=dt.UTC)


class FakeConnector(Platform):
    """A platform whose connection test answers from its credentials."""

    code = "fakeconn"
    name = "Fake"
    caption_limit = 20
    max_photos = 4
    credential_fields = (
        CredentialField("user", "User", secret=False),
        CredentialField("token", "Token"),
    )

    def test_connection(self) -> ConnectionInfo:
        if self.account.credentials.get("token") != "good-token":
            raise TokenExpired("The token was refused.", advice="Connect the account again.")
        return ConnectionInfo(name=self.account.credentials["user"], expires_at=EXPIRES)


@pytest.fixture(autouse=True)
def _fake_platform(monkeypatch):
    monkeypatch.setenv("WARTA_EXTRA_PLATFORMS", f"fakeconn={__name__}.FakeConnector")
    if not is_registered(accounts.TEXT_SAVED):  # until the app registers it
        register_action(accounts.TEXT_SAVED, "Channel texts saved")


def _new(admin, **credentials):
    return accounts.save_account(
        user=admin,
        code="fake-humas",
        platform="fakeconn",
        values={"name": "Fake Humas", "mode": "api", "position": 5, "active": True},
        credentials=credentials,
    )


@pytest.mark.django_db
def test_credentials_are_sealed_kept_when_empty_and_never_in_the_audit(make_user):
    admin = make_user("admin", superuser=True)
    account = _new(admin, user="humas", token="s3cret-token")
    assert "s3cret-token" not in account.credentials
    assert secrets.unseal(account.credentials) == {"user": "humas", "token": "s3cret-token"}
    assert (account.connected_by, account.mode) == (admin, "api")

    accounts.save_account(
        user=admin,
        account_id=account.pk,
        values={"name": "Renamed"},
        credentials={"user": "", "token": "   "},
    )
    account.refresh_from_db()
    assert account.name == "Renamed"
    assert secrets.unseal(account.credentials) == {"user": "humas", "token": "s3cret-token"}
    assert accounts.credential_status(account) == {"user": True, "token": True}

    events = Event.objects.filter(action=accounts.ACCOUNT_SAVED)
    assert events.count() == 2
    assert all("s3cret" not in str(e.after) + str(e.before) for e in events)
    assert events.last().after["credentials_set"] == []
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_an_automatic_account_needs_its_required_credentials(make_user):
    admin = make_user("admin", superuser=True)
    with pytest.raises(accounts.AccountRefused):
        _new(admin, user="humas")
    assert not ChannelAccount.objects.filter(code="fake-humas").exists()
    assert not Event.objects.filter(action=accounts.ACCOUNT_SAVED).exists()


@pytest.mark.django_db
def test_connection_test_records_result_and_token_expiry(make_user):
    admin = make_user("admin", superuser=True)
    account = _new(admin, user="humas", token="bad")
    outcome = accounts.test_connection(account.pk, admin)
    account.refresh_from_db()
    assert not outcome.ok and outcome.advice == "Connect the account again."
    assert account.check_ok is False and account.check_result == "The token was refused."
    assert account.token_expires_at is None

    accounts.save_account(
        user=admin, account_id=account.pk, values={}, credentials={"token": "good-token"}
    )
    outcome = accounts.test_connection(account.pk, admin)
    account.refresh_from_db()
    assert outcome.ok and "humas" in outcome.message
    assert account.check_ok is True and account.token_expires_at == EXPIRES
    assert account.checked_at is not None
    tested = Event.objects.filter(action=accounts.ACCOUNT_SAVED, after__tested=True)
    assert [e.after["ok"] for e in tested.order_by("seq")] == [False, True]


@pytest.mark.django_db
def test_deactivate_and_the_website_stays(make_user):
    admin = make_user("admin", superuser=True)
    account = _new(admin, user="u", token="t")
    accounts.deactivate_account(account_id=account.pk, user=admin)
    account.refresh_from_db()
    assert account.active is False
    website = ChannelAccount.objects.get(code="website")
    with pytest.raises(accounts.AccountRefused):
        accounts.deactivate_account(account_id=website.pk, user=admin)
    assert ChannelAccount.objects.get(code="website").active


@pytest.mark.django_db
def test_channel_texts_saved_within_the_limit_all_or_nothing(people, new_item, make_user):
    admin = make_user("admin", superuser=True)
    fake = _new(admin, user="u", token="t")
    instagram = ChannelAccount.objects.get(code="instagram")
    item = new_item()
    with pytest.raises(accounts.TextTooLong) as refused:
        accounts.save_channel_texts(
            item_id=item.pk,
            user=people["humas"],
            texts={instagram.pk: "Fine text", fake.pk: "x" * 21},
        )
    assert "21" in refused.value.message and "20" in refused.value.message
    assert not ChannelText.objects.exists()

    accounts.save_channel_texts(
        item_id=item.pk,
        user=people["humas"],
        texts={instagram.pk: "Fine text", fake.pk: "x" * 20},
    )
    saved = {row.account_id: row for row in ChannelText.objects.all()}
    assert saved[instagram.pk].text == "Fine text"
    assert saved[fake.pk].updated_by == people["humas"]
    event = Event.objects.get(action=accounts.TEXT_SAVED)
    assert sorted(event.after["channels"]) == ["fake-humas", "instagram"]
    # Saving the same texts again changes nothing and records nothing.
    accounts.save_channel_texts(
        item_id=item.pk, user=people["humas"], texts={instagram.pk: "Fine text"}
    )
    assert Event.objects.filter(action=accounts.TEXT_SAVED).count() == 1
    assert timezone.now() >= saved[fake.pk].updated_at

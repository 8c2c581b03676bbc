"""Channel credentials at rest: encrypted with WARTA_CHANNEL_KEY, readable after a key
rotation, refused clearly with a foreign key; renewed tokens kept without their values in the
audit trail."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from warta.audit.models import Event
from warta.publishing import services as publishing
from warta.publishing.models import ChannelAccount
from warta.publishing.platforms import PLATFORM_PATHS, platform_class
from warta.publishing.platforms.base import AccountConfig
from warta.publishing.secrets import CredentialsUnreadable, seal, unseal


def test_sealed_values_are_not_readable_and_survive_a_key_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.WARTA_CHANNEL_KEYS = [old]
    token = seal({"access_token": "rahasia-123"})
    assert "rahasia" not in token
    settings.WARTA_CHANNEL_KEYS = [new, old]  # rotated: the new key first, the old kept
    assert unseal(token) == {"access_token": "rahasia-123"}
    resealed = seal(unseal(token))
    settings.WARTA_CHANNEL_KEYS = [new]
    assert unseal(resealed) == {"access_token": "rahasia-123"}
    with pytest.raises(CredentialsUnreadable):  # only the old key could open the first one
        unseal(token)


@pytest.mark.django_db
def test_renewed_credentials_are_merged_sealed_and_audited_without_values():
    account = ChannelAccount.objects.create(
        code="x-unit",
        name="X unit",
        platform="x",
        mode="api",
        credentials=seal({"client_id": "abc", "refresh_token": "old-refresh"}),
    )
    expires = timezone.now() + dt.timedelta(hours=2)
    publishing.save_renewed_credentials(
        account_id=account.pk,
        credentials={"access_token": "new-access", "refresh_token": "new-refresh"},
        expires_at=expires,
    )
    account.refresh_from_db()
    assert unseal(account.credentials) == {
        "client_id": "abc",
        "access_token": "new-access",
        "refresh_token": "new-refresh",
    }
    assert account.token_expires_at == expires
    event = Event.objects.get(action="publishing.account_saved", object_id=str(account.pk))
    stored = json.dumps([event.before, event.after, event.note])
    assert "new-access" not in stored and "new-refresh" not in stored
    assert event.after["renewed"] == ["access_token", "refresh_token"]


@pytest.mark.parametrize("code", sorted(PLATFORM_PATHS))
def test_every_platform_is_built_the_way_the_worker_builds_it(code):
    """``tasks.platform_for`` passes these keywords to every connector."""
    kept = []
    platform = platform_class(code)(
        AccountConfig(code=code, name=code, platform=code),
        timeout=5.0,
        progress=lambda: None,
        save_credentials=lambda values, expires_at: kept.append(values),
    )
    assert platform.code == code and platform.timeout == 5.0

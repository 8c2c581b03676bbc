"""The writes of the channel pages: channel accounts (with their encrypted credentials and the
connection test), and the per-item short texts of the social accounts (``ChannelText``).

Credentials are sealed with ``secrets.seal`` and never read back to a page: a form shows only
whether each one is set. A credential field left empty keeps the stored value.

Every write runs in one transaction with its audit event: accounts (saved, deactivated,
tested) as ``publishing.account_saved``, texts as ``publishing.text_saved``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warta.audit.services import record_event
from warta.errors import WartaError
from warta.newsroom.models import SUBJECT_TYPE, NewsItem
from warta.publishing import secrets
from warta.publishing.models import ChannelAccount, ChannelText
from warta.publishing.platforms import platform_class
from warta.publishing.platforms.base import (
    AccountConfig,
    ChannelError,
    ConnectionInfo,
    CredentialField,
    Platform,
)

ACCOUNT_SAVED = "publishing.account_saved"
TEXT_SAVED = "publishing.text_saved"
ACCOUNT_OBJECT = "publishing.channelaccount"
# The fields of an account an administrator edits (credentials apart).
ACCOUNT_FIELDS = (
    "name",
    "mode",
    "handle",
    "external_id",
    "profile_url",
    "base_url",
    "position",
    "active",
)


class AccountRefused(WartaError):
    """An account change that cannot be made as asked (nothing was changed)."""

    code = "channel-account-refused"


class TextTooLong(WartaError):
    """A channel text over the platform's limit (nothing was saved)."""

    code = "channel-text-too-long"


def credential_fields(platform: str) -> tuple[CredentialField, ...]:
    """What an administrator enters to connect an account of ``platform`` (none for an unknown
    or unloadable connector)."""
    try:
        return tuple(platform_class(platform).credential_fields)
    except (KeyError, ImportError):
        return ()


def credential_status(account: ChannelAccount) -> dict[str, bool]:
    """For each credential of the account: whether a value is stored (never the value)."""
    try:
        stored = secrets.unseal(account.credentials)
    except secrets.CredentialsUnreadable:
        stored = {}
    return {name: bool(value) for name, value in stored.items()}


def _merged_credentials(
    account: ChannelAccount, given: Mapping[str, str], fields: tuple[CredentialField, ...]
) -> dict[str, str]:
    """The stored values with the non-empty ``given`` ones on top; ``AccountRefused`` when a
    required one is still missing."""
    try:
        values = secrets.unseal(account.credentials) if account.credentials else {}
    except secrets.CredentialsUnreadable:
        values = {}
    for field in fields:
        value = (given.get(field.name) or "").strip()
        if value:
            values[field.name] = value
    missing = [
        str(field.label)
        for field in fields
        if field.required and not values.get(field.name) and account.mode == "api"
    ]
    if missing:
        raise AccountRefused(
            _("Enter %(fields)s to use this account automatically.")
            % {"fields": ", ".join(missing)}
        )
    return {name: value for name, value in values.items() if value}


@transaction.atomic
def save_account(
    *,
    user: Any,
    values: Mapping[str, Any],
    credentials: Mapping[str, str],
    account_id: int | None = None,
    code: str = "",
    platform: str = "",
    options: Mapping[str, Any] | None = None,
    ip: str = "",
) -> ChannelAccount:
    """Create an account (``account_id`` None, with ``code`` and ``platform``) or update one.

    ``values`` holds the fields of ``ACCOUNT_FIELDS`` to set; ``credentials`` the credential
    values typed (empty ones keep what is stored); ``options`` replaces the given option keys.
    """
    if account_id is None:
        if not code or ChannelAccount.objects.filter(code=code).exists():
            raise AccountRefused(_("Choose another code: this one is taken."))
        try:
            platform_class(platform)
        except (KeyError, ImportError):
            raise AccountRefused(_("Unknown platform.")) from None
        account = ChannelAccount(code=code, platform=platform)
        before: dict[str, Any] = {}
    else:
        account = ChannelAccount.objects.select_for_update().get(pk=account_id)
        before = {field: getattr(account, field) for field in ACCOUNT_FIELDS}
    for field in ACCOUNT_FIELDS:
        if field in values:
            setattr(account, field, values[field])
    if options:
        account.options = {**(account.options or {}), **options}
    fields = credential_fields(account.platform)
    old_status = credential_status(account) if account.pk else {}
    merged = _merged_credentials(account, credentials, fields)
    account.credentials = secrets.seal(merged)
    changed_credentials = sorted(name for name in merged if (credentials.get(name) or "").strip())
    if changed_credentials or account_id is None:
        account.connected_by = user
        account.connected_at = timezone.now()
    account.save()
    after = {field: getattr(account, field) for field in ACCOUNT_FIELDS}
    record_event(
        action=ACCOUNT_SAVED,
        actor=user,
        object_type=ACCOUNT_OBJECT,
        object_id=account.pk,
        before={k: v for k, v in before.items() if after.get(k) != v} or None,
        after={
            "channel": account.code,
            "platform": account.platform,
            **{k: v for k, v in after.items() if before.get(k) != v or not before},
            # Which credentials were set or replaced — never their values.
            "credentials_set": changed_credentials,
            "credentials_before": sorted(old_status),
        },
        ip=ip,
    )
    return account


@transaction.atomic
def deactivate_account(*, account_id: int, user: Any, ip: str = "") -> ChannelAccount:
    """Stop offering the account for new items (its publications stay as they are)."""
    account = ChannelAccount.objects.select_for_update().get(pk=account_id)
    if account.platform == "website":
        raise AccountRefused(_("The website is always published to; it cannot be deactivated."))
    if not account.active:
        raise AccountRefused(_("This account is already inactive."))
    account.active = False
    account.save(update_fields=["active"])
    record_event(
        action=ACCOUNT_SAVED,
        actor=user,
        object_type=ACCOUNT_OBJECT,
        object_id=account.pk,
        before={"active": True},
        after={"channel": account.code, "active": False},
        ip=ip,
    )
    return account


def connector_with_credentials(account: ChannelAccount, *, timeout: float = 15.0) -> Platform:
    """The platform object of ``account`` with its decrypted credentials (like
    ``tasks.platform_for``, without a publication)."""
    config = AccountConfig(
        code=account.code,
        name=account.name,
        platform=account.platform,
        external_id=account.external_id,
        handle=account.handle,
        base_url=account.base_url,
        credentials=secrets.unseal(account.credentials),
        options={k: str(v) for k, v in (account.options or {}).items()},
    )
    return platform_class(account.platform)(config, timeout=timeout)


@dataclass(frozen=True)
class TestOutcome:
    ok: bool
    message: str
    advice: str = ""


def _run_test(account: ChannelAccount) -> tuple[TestOutcome, ConnectionInfo | None]:
    try:
        info = connector_with_credentials(account).test_connection()
    except ChannelError as error:
        return TestOutcome(False, error.message, error.advice), None
    except WartaError as error:  # credentials unreadable with this key
        return TestOutcome(False, error.message), None
    except (KeyError, ImportError):
        return TestOutcome(False, _("This platform's connector is not available.")), None
    message = _("Connected as %(name)s.") % {"name": info.name}
    if info.detail:
        message = f"{message} {info.detail}"
    return TestOutcome(True, message), info


def test_connection(account_id: int, user: Any, *, ip: str = "") -> TestOutcome:
    """Ask the platform whether the account's credentials work, and record the answer (time,
    result, the token's expiry when the platform tells it). The call is made outside any
    transaction; the record is written in one, with its audit event."""
    account = ChannelAccount.objects.get(pk=account_id)
    outcome, info = _run_test(account)
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().get(pk=account_id)
        account.checked_at = timezone.now()
        account.check_ok = outcome.ok
        account.check_result = outcome.message[:500]
        fields = ["checked_at", "check_ok", "check_result"]
        if info is not None:
            account.token_expires_at = info.expires_at
            fields.append("token_expires_at")
        account.save(update_fields=fields)
        record_event(
            action=ACCOUNT_SAVED,
            actor=user,
            object_type=ACCOUNT_OBJECT,
            object_id=account.pk,
            after={
                "channel": account.code,
                "tested": True,
                "ok": outcome.ok,
                "result": account.check_result,
                "token_expires_at": (
                    account.token_expires_at.isoformat() if account.token_expires_at else None
                ),
            },
            ip=ip,
        )
    return outcome


# --- per-item channel texts ---------------------------------------------------------------------
def text_limit(account: ChannelAccount) -> int:
    """The platform's caption limit; 0 when it takes no caption or is unknown."""
    try:
        return platform_class(account.platform).caption_limit
    except (KeyError, ImportError):
        return 0


def text_length(account: ChannelAccount, text: str) -> int:
    from warta.publishing.posts import caption_length

    try:
        return caption_length(account, text)
    except (KeyError, ImportError):
        return len(text)


@transaction.atomic
def save_channel_texts(
    *, item_id: int, user: Any, texts: Mapping[int, str], ip: str = ""
) -> list[ChannelText]:
    """Save the short text of ``item_id`` for each account id in ``texts``. All or nothing:
    ``TextTooLong`` names the first text over its platform's limit."""
    item = NewsItem.objects.select_for_update(of=("self",)).get(pk=item_id)
    if item.published_at is not None and item.case.status != "open":
        raise AccountRefused(_("This news is already published: its texts cannot change."))
    accounts = {a.pk: a for a in ChannelAccount.objects.filter(pk__in=list(texts))}
    for account_id, text in texts.items():
        account = accounts.get(account_id)
        if account is None:
            raise AccountRefused(_("Unknown channel account."))
        limit = text_limit(account)
        length = text_length(account, text)
        if limit and length > limit:
            raise TextTooLong(
                _("The text for %(account)s is %(length)s characters; at most %(limit)s fit.")
                % {"account": account.name, "length": length, "limit": limit}
            )
    now = timezone.now()
    saved, changed = [], []
    for account_id, text in texts.items():
        row, _created = ChannelText.objects.get_or_create(item=item, account_id=account_id)
        if row.text != text:
            changed.append(accounts[account_id].code)
            row.text = text
            row.updated_by = user
            row.updated_at = now
            row.save()
        saved.append(row)
    if changed:
        record_event(
            action=TEXT_SAVED,
            actor=user,
            object_type=SUBJECT_TYPE,
            object_id=item.pk,
            after={"channels": changed},
            ip=ip,
        )
    return saved

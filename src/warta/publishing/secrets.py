"""Channel credentials, encrypted at rest.

The key comes from ``WARTA_CHANNEL_KEY`` (one or more Fernet keys, comma-separated, newest
first, so a key can be rotated: old values stay readable, new ones are written with the first
key). Without it, a key derived from the installation's secret key is used — good enough for a
trial, but then a leaked secret key also opens the credentials; docs/channels.md says to set it.
"""

from __future__ import annotations

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from warta.errors import WartaError


class CredentialsUnreadable(WartaError):
    """The stored credentials cannot be decrypted with this installation's key."""

    code = "credentials-unreadable"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _(
                "The account's credentials cannot be read with this server's key "
                "(WARTA_CHANNEL_KEY changed?). Connect the account again."
            )
        )


def _derived_key() -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"warta channel credentials")
    return base64.urlsafe_b64encode(hkdf.derive(settings.SECRET_KEY.encode()))


def _fernet() -> MultiFernet:
    keys = [key.encode() for key in settings.WARTA_CHANNEL_KEYS] or [_derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


def seal(values: dict[str, str]) -> str:
    """``values`` encrypted (and authenticated) as one text; "" for no values."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def unseal(token: str) -> dict[str, str]:
    """The values sealed in ``token``; ``CredentialsUnreadable`` when the key cannot open it."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise CredentialsUnreadable() from exc


def new_key() -> str:
    """A fresh key for ``WARTA_CHANNEL_KEY``."""
    return Fernet.generate_key().decode()

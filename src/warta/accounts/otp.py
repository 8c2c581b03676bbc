"""The second factor: an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

Devices are django-otp's: one confirmed ``TOTPDevice`` per person and one ``StaticDevice``
holding the unused recovery codes. Writes go through ``warta.accounts.services``; this module
reads, and makes keys, QR codes and codes.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from warta.accounts.selectors import role_codes_of

RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"


def second_factor_required(user: Any) -> bool:
    """Administrators always; holders (or Plh) of the roles in ``WARTA_OTP_REQUIRED_ROLES``."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    required = set(settings.WARTA_OTP_REQUIRED_ROLES)
    return bool(required and required & role_codes_of(user))


def totp_device_of(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def has_second_factor(user: Any) -> bool:
    return totp_device_of(user) is not None


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_device_of(user: Any) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()


def is_verified(user: Any) -> bool:
    """Whether this session passed the second factor (django-otp's middleware decides)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def new_key() -> str:
    """A new random TOTP secret, hex-encoded as django-otp stores it."""
    return default_key()


def valid_key(key: Any) -> bool:
    if not isinstance(key, str):
        return False
    try:
        return len(binascii.unhexlify(key)) >= 10
    except (binascii.Error, ValueError):
        return False


def base32_secret(key: str) -> str:
    """The secret as people type it into an authenticator app, in groups of four."""
    text = base64.b32encode(binascii.unhexlify(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def provisioning_uri(user: Any, key: str) -> str:
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{user.get_username()}")
    query = urlencode({"secret": base32_secret(key).replace(" ", ""), "issuer": issuer})
    return f"otpauth://totp/{label}?{query}&digits=6&period=30"


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG markup (no script, no style attribute)."""
    return segno.make(text, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title="QR", svgclass="qr"
    )


def key_accepts(key: str, token: str) -> bool:
    """Whether ``token`` is the current code (±1 step) of the not yet saved secret ``key``."""
    digits = normalise_token(token)
    if not re.fullmatch(r"\d{6}", digits):
        return False
    totp = TOTP(binascii.unhexlify(key), step=30, t0=0, digits=6, drift=0)
    totp.time = timezone.now().timestamp()
    return totp.verify(int(digits), tolerance=1)


def normalise_token(token: str) -> str:
    """Codes are typed with spaces or dashes and in any case; compare without them."""
    return re.sub(r"[\s-]", "", token or "").lower()[:32]


def new_recovery_codes() -> list[str]:
    return [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]

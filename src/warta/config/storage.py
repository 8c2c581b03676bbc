"""Where media files are kept and how they are sent, from the environment (docs/deployment.md,
"Media files"). Pure functions of the environment: importing or calling them touches nothing.

``settings.py`` uses them as::

    STORAGES = {**storages_from_env(os.environ), "staticfiles": {...}}
    globals().update(media_settings_from_env(os.environ))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
ADDRESSING_STYLES = ("auto", "path", "virtual")
# How media files leave a local storage: through Python, nginx's X-Accel-Redirect, X-Sendfile.
ACCEL_MODES = ("", "nginx", "sendfile")
DEFAULT_ACCEL_PREFIX = "/_warta_media/"
DEFAULT_URL_SECONDS = 300


def _url_seconds(environ: Mapping[str, str]) -> int:
    raw = environ.get("WARTA_MEDIA_URL_SECONDS", "").strip() or str(DEFAULT_URL_SECONDS)
    try:
        seconds = int(raw)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= 7 * 24 * 3600:  # S3 signs URLs for at most a week
        raise ImproperlyConfigured(
            f"WARTA_MEDIA_URL_SECONDS must be a number of seconds from 1 to 604800, not {raw!r}"
        )
    return seconds


def storages_from_env(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The ``default`` entry of ``STORAGES``: local files under ``MEDIA_ROOT``, or, when
    ``WARTA_S3_BUCKET`` is set, a private S3-compatible bucket whose files are only reached
    through short-lived signed URLs."""
    bucket = environ.get("WARTA_S3_BUCKET", "").strip()
    if not bucket:
        # No ``location``: FileSystemStorage follows settings.MEDIA_ROOT (tests override it).
        return {"default": {"BACKEND": LOCAL_BACKEND}}
    options: dict[str, Any] = {
        "bucket_name": bucket,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": _url_seconds(environ),
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    optional = {
        "endpoint_url": "WARTA_S3_ENDPOINT_URL",
        "region_name": "WARTA_S3_REGION",
        "access_key": "WARTA_S3_ACCESS_KEY_ID",
        "secret_key": "WARTA_S3_SECRET_ACCESS_KEY",
        "location": "WARTA_S3_PREFIX",
    }
    for option, variable in optional.items():
        value = environ.get(variable, "").strip()
        if value:
            options[option] = value.strip("/") if option == "location" else value
    style = environ.get("WARTA_S3_ADDRESSING_STYLE", "").strip().lower()
    if style:
        if style not in ADDRESSING_STYLES:
            raise ImproperlyConfigured(
                f"WARTA_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}"
            )
        options["addressing_style"] = style
    return {"default": {"BACKEND": S3_BACKEND, "OPTIONS": options}}


def public_pages_storage(environ: Mapping[str, str], data_dir: Any) -> dict[str, Any]:
    """The ``public_pages`` entry of ``STORAGES``: the pre-rendered public pages on local disk
    under ``WARTA_PUBLIC_DIR`` (default ``<WARTA_DATA_DIR>/public``), where nginx can serve
    them too (warta.site.pages, deploy/nginx/warta.conf)."""
    location = environ.get("WARTA_PUBLIC_DIR", "").strip() or f"{data_dir}/public"
    return {"BACKEND": LOCAL_BACKEND, "OPTIONS": {"location": location}}


def media_settings_from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """``WARTA_MEDIA_ACCEL`` (``""``, ``nginx`` or ``sendfile``), its internal location prefix
    and how long a signed media URL stays valid."""
    accel = environ.get("WARTA_MEDIA_ACCEL", "").strip().lower()
    if accel not in ACCEL_MODES:
        raise ImproperlyConfigured(
            f"WARTA_MEDIA_ACCEL must be empty, 'nginx' or 'sendfile', not {accel!r}"
        )
    prefix = environ.get("WARTA_MEDIA_ACCEL_PREFIX", "").strip() or DEFAULT_ACCEL_PREFIX
    if not prefix.startswith("/"):
        raise ImproperlyConfigured("WARTA_MEDIA_ACCEL_PREFIX must start with '/'")
    return {
        "WARTA_MEDIA_ACCEL": accel,
        "WARTA_MEDIA_ACCEL_PREFIX": prefix.rstrip("/") + "/",
        "WARTA_MEDIA_URL_SECONDS": _url_seconds(environ),
    }

"""The publishing platforms: one connector class per kind of service, by code.

``PLATFORMS`` is the only list of them; a channel account names its platform by code. Every
platform can also be used by hand (an account in manual mode): Warta prepares the post and a
person records where it went."""

from __future__ import annotations

import os

from django.utils.module_loading import import_string

from warta.publishing.platforms.base import Platform

# code → dotted path; imported when first needed so a broken optional connector cannot stop
# the app from starting.
PLATFORM_PATHS: dict[str, str] = {
    "website": "warta.publishing.platforms.website.Website",
    "wordpress": "warta.publishing.platforms.wordpress.WordPress",
    "facebook": "warta.publishing.platforms.facebook.FacebookPage",
    "instagram": "warta.publishing.platforms.instagram.Instagram",
    "youtube": "warta.publishing.platforms.youtube.YouTube",
    "x": "warta.publishing.platforms.x.X",
    "tiktok": "warta.publishing.platforms.tiktok.TikTok",
}


def _extra_platforms() -> dict[str, str]:
    """``WARTA_EXTRA_PLATFORMS`` ("code=dotted.path,…"): connectors outside Warta, e.g. an
    institution's own, or a test platform in a worker process started by a test."""
    extra = {}
    for entry in os.environ.get("WARTA_EXTRA_PLATFORMS", "").split(","):
        code, _sep, path = entry.strip().partition("=")
        if code and path:
            extra[code.strip()] = path.strip()
    return extra


def platform_class(code: str) -> type[Platform]:
    """The connector of platform ``code``; ``KeyError`` for an unknown code."""
    return import_string({**PLATFORM_PATHS, **_extra_platforms()}[code])

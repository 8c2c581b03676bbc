"""The limits of media, from settings (read when asked, so tests and deployments can set them)."""

from __future__ import annotations

from django.conf import settings

MB = 1024 * 1024
# The defaults of WARTA_MEDIA_MAX_PHOTO_MB / WARTA_MEDIA_MAX_VIDEO_MB (config/settings.py).
DEFAULT_MAX_PHOTO_MB = 50
DEFAULT_MAX_VIDEO_MB = 2048


def max_bytes(kind: str) -> int:
    if kind == "video":
        return settings.WARTA_MEDIA_MAX_VIDEO_MB * MB
    return settings.WARTA_MEDIA_MAX_PHOTO_MB * MB


def max_pixels() -> int:
    return settings.WARTA_MEDIA_MAX_MEGAPIXELS * 1_000_000


def human_size(size: int) -> str:
    """``2 GB``, ``50 MB``: how a limit is said in a message."""
    if size >= 1024 * MB and size % (1024 * MB) == 0:
        return f"{size // (1024 * MB)} GB"
    return f"{round(size / MB)} MB"

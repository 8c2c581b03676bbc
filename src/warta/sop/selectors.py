"""Reads of loaded SOP definitions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from warta.sop.models import SopVersion


def active_versions() -> QuerySet[SopVersion]:
    """The active version of every SOP, by code."""
    return SopVersion.objects.filter(is_active=True).select_related("loaded_by").order_by("code")


def get_active(code: str) -> SopVersion:
    """The active version of ``code``; raises ``SopVersion.DoesNotExist`` when none is loaded."""
    return SopVersion.objects.get(code=code, is_active=True)


def versions_of(code: str) -> QuerySet[SopVersion]:
    """Every loaded version of ``code``, newest first."""
    return SopVersion.objects.filter(code=code).order_by("-loaded_at", "-pk")


def get_version(code: str, version: str) -> SopVersion:
    """One version of ``code`` by its version string (``2024-07-02+1a2b3c4d5e6f``) or a prefix
    of its content hash; raises ``SopVersion.DoesNotExist``."""
    found = SopVersion.objects.filter(code=code, version=version).first()
    if found is None and len(version) >= 6:
        matches = list(SopVersion.objects.filter(code=code, content_hash__startswith=version)[:2])
        if len(matches) == 1:
            found = matches[0]
    if found is None:
        raise SopVersion.DoesNotExist(f"{code} {version}")
    return found


@dataclass(frozen=True)
class SopSummary:
    code: str
    name: str
    active_version: str  # empty when no version is active
    version_count: int


def sop_summaries() -> list[SopSummary]:
    """One line per SOP code: its name and active version, and how many versions are loaded."""
    counts = dict(
        SopVersion.objects.values_list("code").annotate(n=Count("pk")).values_list("code", "n")
    )
    active = {version.code: version for version in SopVersion.objects.filter(is_active=True)}
    newest_names = {}
    for code, name in SopVersion.objects.order_by("code", "loaded_at", "pk").values_list(
        "code", "name"
    ):
        newest_names[code] = name
    return [
        SopSummary(
            code=code,
            name=active[code].name if code in active else newest_names.get(code, ""),
            active_version=active[code].version if code in active else "",
            version_count=counts[code],
        )
        for code in sorted(counts)
    ]

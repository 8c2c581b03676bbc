"""Reading an asset's renditions (using what a page prefetched, when it did)."""

from __future__ import annotations

from warta.media.models import Asset, Rendition

POSTER_PREFIX = "poster-"
WEB_VIDEO = "mp4"


def renditions_of(asset: Asset) -> dict[str, Rendition]:
    """The asset's renditions by spec name (prefetch ``renditions`` to avoid a query each)."""
    return {rendition.spec: rendition for rendition in asset.renditions.all()}


def rendition(asset: Asset, spec: str) -> Rendition | None:
    return renditions_of(asset).get(spec)


def poster_candidates(asset: Asset) -> list[Rendition]:
    found = [r for r in asset.renditions.all() if r.spec.startswith(POSTER_PREFIX)]
    return sorted(found, key=lambda r: (r.time or 0.0, r.spec))


def poster(asset: Asset) -> Rendition | None:
    """The chosen poster frame of a video (the first candidate until one is chosen)."""
    candidates = poster_candidates(asset)
    for candidate in candidates:
        if asset.poster_time is not None and candidate.time == asset.poster_time:
            return candidate
    return candidates[0] if candidates else None


def web_video(asset: Asset) -> Rendition | None:
    """The web-playable MP4 of a video (its metadata-free copy or its transcoding)."""
    return renditions_of(asset).get(WEB_VIDEO)

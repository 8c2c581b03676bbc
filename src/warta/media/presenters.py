"""What a page needs to show an asset: the URLs of its renditions and its state.

The same presentation serves the public article (rendition URLs by content hash) and the
Kabag's preview of a draft (permission-checked URLs): the page passes how to address a
rendition, so the preview shows exactly the renditions the public will get.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from warta.media.models import Asset, Rendition
from warta.media.selectors import poster, poster_candidates, renditions_of, web_video

UrlFor = Callable[[Asset, Rendition], str]
WEB_JPEG, WEB_WEBP, THUMB, OPEN_GRAPH = "web-jpeg", "web-webp", "thumb", "og"


@dataclass
class MediaView:
    asset: Asset
    urls: dict[str, str] = field(default_factory=dict)  # by rendition spec
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)  # (width, height) by spec
    width: int = 0  # of the main rendition
    height: int = 0
    poster_url: str = ""
    posters: list[tuple[float, str]] = field(default_factory=list)  # (time, url) candidates
    row: Any = None  # the owner's row of this asset (e.g. the news item's Photo), if it says
    original_url: str = ""  # for those who may see the original (never on a public page)
    warnings: list[str] = field(default_factory=list)  # e.g. a video too long for a channel

    @property
    def pk(self) -> int:
        return self.asset.pk

    @property
    def kind(self) -> str:
        return self.asset.kind

    @property
    def state(self) -> str:
        return self.asset.state

    @property
    def ready(self) -> bool:
        return self.asset.state == Asset.State.READY and bool(self.src)

    @property
    def src(self) -> str:
        """The main file a page shows: the web JPEG of a photo, the web MP4 of a video."""
        return self.urls.get(WEB_JPEG) or self.urls.get("mp4", "")

    @property
    def webp(self) -> str:
        return self.urls.get(WEB_WEBP, "")

    @property
    def thumb(self) -> str:
        return self.urls.get(THUMB, "")

    @property
    def crops(self) -> list[tuple[str, str]]:
        """(label, url) of each rendition cropped for a network, in the specs' order."""
        from warta.media.images import PHOTO_SPECS

        return [
            (str(spec.label), self.urls[spec.name])
            for spec in PHOTO_SPECS
            if spec.crop and spec.name in self.urls
        ]

    @property
    def thumb_width(self) -> int:
        return self.sizes.get(THUMB, (0, 0))[0]

    @property
    def thumb_height(self) -> int:
        return self.sizes.get(THUMB, (0, 0))[1]

    @property
    def og(self) -> tuple[str, int, int] | None:
        """The OpenGraph image (url, width, height), when made."""
        if OPEN_GRAPH not in self.urls:
            return None
        return (self.urls[OPEN_GRAPH], *self.sizes[OPEN_GRAPH])

    @property
    def caption(self) -> str:
        return self.asset.caption

    @property
    def alt(self) -> str:
        return self.asset.alt_text


def present(assets: Iterable[Asset], url_for: UrlFor) -> list[MediaView]:
    """One view per asset (prefetch ``renditions`` on the assets: no query per asset)."""
    views = []
    for asset in assets:
        view = MediaView(asset)
        by_spec = renditions_of(asset)
        for spec, rendition in by_spec.items():
            view.urls[spec] = url_for(asset, rendition)
            view.sizes[spec] = (rendition.width, rendition.height)
        main = by_spec.get(WEB_JPEG) or web_video(asset)
        if main is not None:
            view.width, view.height = main.width, main.height
        chosen = poster(asset)
        if chosen is not None:
            view.poster_url = url_for(asset, chosen)
        view.posters = [(c.time or 0.0, url_for(asset, c)) for c in poster_candidates(asset)]
        views.append(view)
    return views

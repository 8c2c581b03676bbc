"""The artifacts media provide to the SOP's kelengkapan checks (``provided_by: media.…``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from warta.media.models import Asset
from warta.media.owners import assets_of
from warta.workflow import registry


def _usable(asset: Asset, kind: str) -> bool:
    return asset.kind == kind and asset.state != Asset.State.FAILED


class _Provider:
    name = ""
    label: Any = ""

    def present(self, case: Any) -> bool | None:
        # One read of the subject's media serves every media artifact of one check.
        assets = registry.shared_read(("media.assets", case.pk), lambda: assets_of(case))
        return None if assets is None else self.holds(assets)

    def holds(self, assets: list[Asset]) -> bool:
        raise NotImplementedError


class PhotosProvider(_Provider):
    name = "media.photos"
    label = gettext_lazy("The photos (a failed upload does not count)")

    def holds(self, assets: list[Asset]) -> bool:
        return any(_usable(asset, Asset.Kind.PHOTO) for asset in assets)


class VideosProvider(_Provider):
    name = "media.videos"
    label = gettext_lazy("The videos (a failed upload does not count)")

    def holds(self, assets: list[Asset]) -> bool:
        return any(_usable(asset, Asset.Kind.VIDEO) for asset in assets)


class AltTextProvider(_Provider):
    name = "media.alt_text"
    label = gettext_lazy("Alt text for every photo")

    def holds(self, assets: list[Asset]) -> bool:
        return all(asset.alt_text.strip() for asset in assets if asset.kind == Asset.Kind.PHOTO)


PROVIDERS = (PhotosProvider(), VideosProvider(), AltTextProvider())


def register() -> None:
    for provider in PROVIDERS:
        registry.register_provider(provider)

"""Media work run by hand or by `warta setup`: remaking renditions and deleting stale uploads."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count
from django.utils import timezone

from warta.media.models import Asset


def process(
    *, everything: bool = False, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Make the renditions of assets that have none (``everything``: of all assets) here and
    now, one at a time; returns how many are ready and how many failed."""
    from warta.media.tasks import process_asset

    assets = Asset.objects.order_by("pk")
    if not everything:
        assets = assets.annotate(made=Count("renditions")).filter(made=0)
    ids = list(assets.values_list("pk", flat=True))
    for done, asset_id in enumerate(ids, start=1):
        asset = Asset.objects.get(pk=asset_id)
        if everything and asset.state != Asset.State.PROCESSING:
            asset.generation += 1
            asset.state = Asset.State.PROCESSING
            asset.save(update_fields=["generation", "state"])
        process_asset.call(asset.pk, asset.generation)
        if progress:
            progress(done, len(ids))
    states = Asset.objects.filter(pk__in=ids).values_list("state", flat=True)
    return {
        "ready": sum(state == Asset.State.READY for state in states),
        "failed": sum(state == Asset.State.FAILED for state in states),
    }


def cleanup_uploads() -> int:
    from warta.media.uploads import discard_all_expired

    return discard_all_expired(timezone.now())

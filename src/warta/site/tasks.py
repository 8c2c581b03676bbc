"""Background work of the public site: render again the pages a change of public content
changed (enqueued in the change's transaction; see ``warta.site.invalidation``)."""

from __future__ import annotations

from django_tasks import task


@task()
def render_public_pages(item_ids: list[int], change: str = "") -> None:
    """Render again the pages a committed change of ``item_ids`` changed, unless the commit's
    own work already did (it marks ``change`` done; tasks enqueued before changes were marked
    carry none and always render)."""
    from warta.site.invalidation import repair_change

    repair_change(item_ids, change)

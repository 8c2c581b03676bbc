"""Background work of the public site: render again the pages a change of public content
changed (enqueued in the change's transaction; see ``warta.site.invalidation``)."""

from __future__ import annotations

from django_tasks import task


@task()
def render_public_pages(item_ids: list[int]) -> None:
    """Render again the pages a committed change of ``item_ids`` changed (idempotent: the
    same pages were usually rendered already at the commit)."""
    from warta.site.invalidation import rebuild_after_change

    rebuild_after_change(item_ids)

"""Keep the pre-rendered public pages exact when what the public sees changes.

On ``warta.publishing.signals.public_changed`` (sent inside the transaction of the change):

1. at once, inside the transaction, the affected files are deleted — the items' articles, every
   index page, both feeds, the items' sitemap parts and the sitemap index — so nothing stale
   can be served once the change commits (after a rollback the deleted pages are rendered
   again on their next request: a little work, never a wrong page);
2. a task that renders them again is enqueued in the same transaction (``tasks``), to run a
   little later (``REPAIR_DELAY``), so a crash right after the commit still ends with every page
   rendered. When the commit's own work (3.) finished, it leaves a marker for the change and the
   task only removes it: the pages of a change are rendered once, not twice;
3. once the change commits: a new generation (pages being rendered meanwhile are not kept),
   the index pages past the first few deleted again, and the affected pages rendered anew —
   the articles, the first ``EAGER_INDEX_PAGES`` index pages, the feeds, the sitemap parts
   and index. The other index pages are rendered on their next request: the work of a change
   is bounded whatever the size of the archive.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from warta.site import pages

FEEDS = ("/feed/rss/", "/feed/atom/")
SITEMAP_INDEX = "/sitemap.xml"
# How long after a change its repair task runs: longer than the commit's own rendering takes, so
# that the task finds that work's marker and does not render the same pages again.
REPAIR_DELAY = dt.timedelta(minutes=1)


def affected_paths(item_ids: Iterable[int]) -> list[str]:
    """The pages a change of ``item_ids`` may change, but the index pages past the first."""
    from warta.newsroom.models import NewsItem
    from warta.site.sitemaps import part_of

    ids = sorted(set(item_ids))
    slugs = NewsItem.objects.filter(pk__in=ids).exclude(slug="").values_list("slug", flat=True)
    paths = [pages.article_path(slug) for slug in sorted(s for s in slugs if s)]
    paths += [pages.index_path(n) for n in range(1, pages.EAGER_INDEX_PAGES + 1)]
    paths += [*FEEDS, SITEMAP_INDEX]
    paths += [pages.sitemap_part_path(n) for n in sorted({part_of(pk) for pk in ids})]
    return paths


def forget(item_ids: Iterable[int]) -> list[str]:
    """Delete the pages a change of ``item_ids`` may change (every index page included);
    returns the paths to render again."""
    paths = affected_paths(item_ids)
    pages.delete([pages.name_for(path) for path in paths] + pages.index_page_names())
    return paths


def rebuild_after_change(item_ids: Iterable[int]) -> None:
    """Render again what a committed change of ``item_ids`` changed (see the module's text)."""
    pages.new_generation()
    paths = forget(item_ids)
    for path in paths:
        pages.refresh(path)


def rebuild_committed_change(item_ids: list[int], change: str) -> None:
    """The commit's own work: render what the change changed, then mark the change done (the
    marker is left only when every page was rendered, so a failure leaves the work to the
    repair task)."""
    rebuild_after_change(item_ids)
    pages.mark_rebuilt(change)


def repair_change(item_ids: list[int], change: str = "") -> bool:
    """The repair task's work: nothing when the commit's own work marked ``change`` done, else
    render the pages again (the process may have died right after the commit). Returns whether
    it rendered."""
    if change and pages.take_rebuilt(change):
        return False
    rebuild_after_change(item_ids)
    return True


def on_public_changed(sender, *, item_ids: frozenset[int], **kwargs) -> None:
    from warta.site.tasks import render_public_pages

    ids = sorted(item_ids)
    change = secrets.token_hex(12)
    forget(ids)
    render_public_pages.using(run_after=timezone.now() + REPAIR_DELAY).enqueue(ids, change)
    # robust: a page that fails to render is logged and left to the task, never a failed change.
    transaction.on_commit(lambda: rebuild_committed_change(ids, change), robust=True)


def on_asset_saved(sender, *, instance, created: bool = False, **kwargs) -> None:
    """A photo or video of a published item changed after publication (its renditions made or
    made again, its caption, its poster): the item's pages show it, so what the public sees
    changed. Announced like any other such change (``public_changed``)."""
    from warta.publishing.selectors import published_items
    from warta.publishing.signals import announce

    if created:
        return
    ids = list(
        published_items()
        .filter(Q(photos__asset=instance.pk) | Q(videos__asset=instance.pk))
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )
    if ids:
        announce(*ids)

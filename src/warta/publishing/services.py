"""Publishing's writes. ``publish`` is one change in one transaction with its audit event; the
step it finishes is completed through the engine in the same transaction.

The service does not ask which step of the SOP it serves: the SOP definition names the step
that publishes (``uses: publishing.publish``) and the capability registered for that name calls
this function, so the engine has already matched the step, its role and its assignee.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from warta.audit.services import record_event
from warta.newsroom.models import SUBJECT_TYPE, NewsItem
from warta.publishing import channels as channel_list
from warta.publishing.models import Publication
from warta.workflow import services as workflow
from warta.workflow.errors import NotPermitted
from warta.workflow.models import Case, StepRun

# The capability (``uses:``) of the steps at which an item is published; see ``capabilities``.
PUBLISH_CAPABILITY = "publishing.publish"

# Kept from before publishing was its own app, so the audit trail reads the same across the move.
PUBLISHED_ACTION = "newsroom.item_published"


def _unique_slug(item: NewsItem) -> str:
    """The title as a web address; the item's id is appended when another item took it."""
    base = slugify(item.title)[:200] or "berita"
    taken = NewsItem.objects.exclude(pk=item.pk).filter(slug__startswith=base)
    slug, n = base, 1
    while taken.filter(slug=slug).exists():
        slug = f"{base}-{item.pk}" if n == 1 else f"{base}-{item.pk}-{n}"
        n += 1
    return slug


def website_url(slug: str) -> str:
    """The public address of an article on the built-in website."""
    return settings.WARTA_SITE_URL.rstrip("/") + reverse("site:article", kwargs={"slug": slug})


@transaction.atomic
def publish(
    *,
    item_id: int,
    step_run_id: int,
    user: Any,
    channel_urls: Mapping[str, str] | None = None,
    note: str = "",
    ip: str = "",
) -> Case:
    """Publish an item on the built-in website (live at once), record where else it was posted
    by hand (only the item's target channels count), and finish the step ``step_run_id`` of
    its case as ``user``.

    Raises ``StepRun.DoesNotExist`` for a step run of another case, and the engine's errors
    (``NotPermitted``, ``RequirementsMissing`` …) when ``user`` may not finish the step; then
    nothing is published.
    """
    item = (
        NewsItem.objects.select_for_update(of=("self",))
        .select_related("case", "case__sop")
        .get(pk=item_id)
    )
    run = StepRun.objects.get(pk=step_run_id, case_id=item.case_id)
    if item.case.sop.definition().step(run.step_id).uses != PUBLISH_CAPABILITY:
        raise NotPermitted(_("This item is not at a publishing step."))
    now = timezone.now()
    item.slug = item.slug or _unique_slug(item)
    item.published_at = now
    item.save(update_fields=["slug", "published_at"])
    urls = {channel_list.WEBSITE: website_url(item.slug)}
    for code, url in (channel_urls or {}).items():
        if code in item.channels and code != channel_list.WEBSITE and url.strip():
            urls[code] = url.strip()
    for code, url in urls.items():
        Publication.objects.update_or_create(
            item=item,
            channel=code,
            defaults={"url": url, "published_by": user, "published_at": now},
        )
    case = workflow.complete_step(
        case_id=item.case_id, step_run_id=step_run_id, user=user, note=note, ip=ip
    )
    record_event(
        action=PUBLISHED_ACTION,
        actor=user,
        object_type=SUBJECT_TYPE,
        object_id=item.pk,
        after={"slug": item.slug, "channels": urls},
        ip=ip,
    )
    return case

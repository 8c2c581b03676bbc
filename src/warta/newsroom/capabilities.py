"""What the newsroom does for the engine: the capability that lets a step edit the news item
(``uses: newsroom.edit``), the providers of the text, photos and videos artifacts
(``provided_by: newsroom.text`` …) and the subject hooks. Registered in ``NewsroomConfig.ready``.

Nothing here names a step of a particular SOP: a definition decides which steps edit the item.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.newsroom.models import SUBJECT_TYPE, NewsItem
from warta.sop.definition import SopDefinition, Step
from warta.workflow import registry
from warta.workflow.capabilities import Action, Capability, StepContext


def continues_editing(definition: SopDefinition, step: Step) -> bool:
    """Whether the step after ``step`` is another editing step of the same role: finishing
    ``step`` then means "go on editing", not "hand over"."""
    following = definition.step_or_none(step.next) if step.next else None
    if following is None:
        return False
    serving = registry.capability_for(following)
    return bool(serving and serving.editable and following.actor == step.actor)


def handed_to(definition: SopDefinition, step: Step) -> str:
    """The name of the role that gets the item when ``step`` is finished (relay steps skipped)."""
    following = definition.step_or_none(step.next) if step.next else None
    seen = set()
    while following is not None and following.kind == "automatic" and following.id not in seen:
        seen.add(following.id)
        following = definition.step_or_none(following.next)
    if following is None or following.actor is None:
        return ""
    return definition.role(following.actor).name


def hand_on_words(definition: SopDefinition, step: Step) -> tuple[str, str]:
    """The label of the button that finishes an editing step, and what it did."""
    if continues_editing(definition, step):
        return _("Save and go on to editing"), _("Saved.")
    role = handed_to(definition, step)
    label = _("Submit to %(role)s") % {"role": role} if role else _("Submit")
    return label, _("Submitted.")


class EditItem(Capability):
    """A manual step at which the news item is written: its editor is open to whoever may act,
    and finishing the step saves and hands the item on."""

    name = "newsroom.edit"
    label = gettext_lazy("Write and edit the news item")
    kinds = ("manual",)
    editable = True

    def get_actions(self, ctx: StepContext) -> list[Action]:
        label, done = hand_on_words(ctx.definition, ctx.step)
        return [Action(name="submit", label=label, done=done)]

    def on_action(self, ctx, action, *, user, form, ip):
        from warta.newsroom.services import submit

        item_id = NewsItem.objects.values_list("pk", flat=True).get(case=ctx.case)
        return submit(
            item_id=item_id,
            step_run_id=ctx.run.pk,
            user=user,
            note=form.cleaned_data.get("reason", ""),
            ip=ip,
        )


def _item(case: Any) -> NewsItem | None:
    if case.subject_type != SUBJECT_TYPE:
        return None
    try:
        return case.news_item  # already at hand when the case was reached from its item
    except NewsItem.DoesNotExist:
        return None


def _has_any(item: NewsItem, relation: str) -> bool:
    """Whether the item has photos/videos, using what a page prefetched when it did."""
    if relation in getattr(item, "_prefetched_objects_cache", {}):
        return bool(getattr(item, relation).all())
    return getattr(item, relation).exists()


class _Provider:
    name = ""
    label: Any = ""

    def present(self, case: Any) -> bool | None:
        item = _item(case)
        return None if item is None else self.holds(item)

    def holds(self, item: NewsItem) -> bool:
        raise NotImplementedError


class TextProvider(_Provider):
    name = "newsroom.text"
    label = gettext_lazy("The news text (title and body)")

    def holds(self, item: NewsItem) -> bool:
        return bool(item.title.strip() and item.body.strip())


# The providers of photos and videos are the media app's now (media.photos, media.videos); these
# two stay for cases pinned to definition versions that still name them.
class PhotosProvider(_Provider):
    name = "newsroom.photos"
    label = gettext_lazy("The item's photos")

    def holds(self, item: NewsItem) -> bool:
        return _has_any(item, "photos")


class VideosProvider(_Provider):
    name = "newsroom.videos"
    label = gettext_lazy("The item's videos")

    def holds(self, item: NewsItem) -> bool:
        return _has_any(item, "videos")


class NewsItemHooks:
    def subject_url(self, case: Any) -> str:
        return reverse("newsroom:item", args=[case.subject_id]) if case.subject_id else ""


EDIT = EditItem()
PROVIDERS = (TextProvider(), PhotosProvider(), VideosProvider())


def _assets(case: Any) -> list | None:
    """The media assets of the case's news item, for the media app's artifact providers."""
    item = _item(case)
    if item is None:
        return None
    cache = getattr(item, "_prefetched_objects_cache", {})
    if "photos" in cache and "videos" in cache:  # a page prefetched them with their assets
        return [row.asset for row in (*item.photos.all(), *item.videos.all())]
    from warta.media.models import Asset

    # One query, not one per photo: three providers ask at every step's completeness check.
    return list(Asset.objects.filter(Q(news_photo__item=item) | Q(news_video__item=item)))


def register() -> None:
    from warta.media.owners import register_assets_source

    register_assets_source(SUBJECT_TYPE, _assets)
    registry.register_subject(SUBJECT_TYPE, NewsItemHooks())
    registry.register_capability(EDIT)
    for provider in PROVIDERS:
        registry.register_provider(provider)

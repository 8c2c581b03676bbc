"""Publishing as the engine sees it: the capability that serves an upload step
(``uses: publishing.publish``). Registered in ``PublishingConfig.ready``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.newsroom.models import NewsItem
from warta.publishing import channels as channel_list
from warta.publishing.services import PUBLISH_CAPABILITY
from warta.workflow import registry
from warta.workflow.capabilities import (
    Action,
    Capability,
    StepActionForm,
    StepContext,
    confirmable_items,
)


class PublishForm(StepActionForm):
    """The step's note, and the addresses of the posts made by hand on the item's other
    channels (optional)."""

    def __init__(self, *args: Any, channels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in channels:
            if code == channel_list.WEBSITE:
                continue
            self.fields[f"url_{code}"] = forms.URLField(
                label=_("Address of the post on %(channel)s")
                % {"channel": channel_list.channel_name(code)},
                required=False,
                assume_scheme="https",
            )

    def channel_urls(self) -> dict[str, str]:
        return {
            name.removeprefix("url_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("url_") and value
        }


def _item(ctx: StepContext) -> NewsItem:
    return NewsItem.objects.get(case=ctx.case)


class Publish(Capability):
    """The news goes live on the website at once; the posts on the other channels (made by
    hand for now) are recorded with their addresses."""

    name = PUBLISH_CAPABILITY
    label = gettext_lazy("Publish on the website and record the other channels")
    kinds = ("manual",)
    template_name = "publishing/_publish_form.html"

    def get_actions(self, ctx: StepContext) -> list[Action]:
        return [
            Action(
                name="publish",
                label=_("Publish on the website"),
                done=_("Published on the website."),
            )
        ]

    def get_form_for_action(self, ctx, action, data=None):
        return PublishForm(data, channels=_item(ctx).channels, confirmable=confirmable_items(ctx))

    def note_label(self, ctx: StepContext) -> str:
        return _("Notes (optional)")

    def on_action(self, ctx, action, *, user, form, ip):
        from warta.publishing.services import publish

        return publish(
            item_id=_item(ctx).pk,
            step_run_id=ctx.run.pk,
            user=user,
            channel_urls=form.channel_urls(),
            note=form.cleaned_data["reason"],
            ip=ip,
        )


PUBLISH = Publish()


def register() -> None:
    registry.register_capability(PUBLISH)

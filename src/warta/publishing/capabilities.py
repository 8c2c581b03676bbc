"""Publishing as the engine sees it: the capability that serves an upload step
(``uses: publishing.publish``). Registered in ``PublishingConfig.ready``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.newsroom.models import NewsItem
from warta.publishing.models import ChannelAccount, Publication
from warta.publishing.services import PUBLISH_CAPABILITY, target_accounts
from warta.workflow import registry
from warta.workflow.capabilities import (
    Action,
    Capability,
    StepActionForm,
    StepContext,
    confirmable_items,
)


class PublishForm(StepActionForm):
    """The step's note, an optional publication time, and the addresses of posts already made
    by hand on the item's accounts that are used by hand (optional: they can be recorded
    later)."""

    not_before = forms.DateTimeField(
        label=gettext_lazy("Publish at (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy(
            "Empty: at once. A later time waits; the step stays open until then."
        ),
    )

    def __init__(self, *args: Any, accounts: list[ChannelAccount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.accounts = accounts
        for account in accounts:
            if account.mode != ChannelAccount.Mode.MANUAL or account.platform == "website":
                continue
            self.fields[f"url_{account.code}"] = forms.URLField(
                label=_("Address of the post on %(channel)s") % {"channel": account.name},
                required=False,
                assume_scheme="https",
                max_length=500,
            )

    def clean_not_before(self):
        value = self.cleaned_data.get("not_before")
        if value is not None and value <= timezone.now():
            return None
        if value is not None and value > timezone.now() + timezone.timedelta(days=60):
            raise forms.ValidationError(_("Choose a time within the next 60 days."))
        return value

    def channel_urls(self) -> dict[str, str]:
        return {
            name.removeprefix("url_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("url_") and value
        }


def _item(ctx: StepContext) -> NewsItem:
    return NewsItem.objects.get(case=ctx.case)


class Publish(Capability):
    """Publish the item on the website and on every account it targets: automatically through
    the platforms' APIs, or prepared for posting by hand and recorded. The step finishes when
    every account is published or recorded."""

    name = PUBLISH_CAPABILITY
    label = gettext_lazy("Publish on the website and the other channels")
    kinds = ("manual",)
    template_name = "publishing/_publish_form.html"

    def get_actions(self, ctx: StepContext) -> list[Action]:
        started = Publication.objects.filter(step_run=ctx.run)
        if not started.exists():
            return [Action(name="publish", label=_("Publish"), done=_("Publishing has started."))]
        if all(p.settled for p in started):
            return [Action(name="finish", label=_("Finish the step"), done=_("Step finished."))]
        return []

    def get_form_for_action(self, ctx, action, data=None):
        return PublishForm(
            data, accounts=target_accounts(_item(ctx)), confirmable=confirmable_items(ctx)
        )

    def note_label(self, ctx: StepContext) -> str:
        return _("Notes (optional)")

    def on_action(self, ctx, action, *, user, form, ip):
        from warta.publishing import services

        if action.name == "finish":
            return services.finish_step(
                item_id=_item(ctx).pk,
                step_run_id=ctx.run.pk,
                user=user,
                note=form.cleaned_data["reason"],
                ip=ip,
            )
        return services.publish(
            item_id=_item(ctx).pk,
            step_run_id=ctx.run.pk,
            user=user,
            channel_urls=form.channel_urls(),
            note=form.cleaned_data["reason"],
            not_before=form.cleaned_data.get("not_before"),
            ip=ip,
        )


PUBLISH = Publish()


def register() -> None:
    registry.register_capability(PUBLISH)

from __future__ import annotations

from django import template

from warta.publishing.channels import channel_name
from warta.publishing.templatetags import publishing as publishing_tags

register = template.Library()


@register.filter
def channel_label(code: str) -> str:
    return channel_name(code)


# Names of several channels without a query each (an item's channels, its publications).
register.filter("channel_labels", publishing_tags.channel_labels)
register.filter("publication_label", publishing_tags.publication_label)


@register.filter
def outcome_label(run, definition) -> str:
    """The SOP's label for the branch a decision took (``Disetujui, lanjut …``)."""
    try:
        step = definition.step(run.step_id)
    except KeyError:
        return run.outcome
    branch = step.branch(run.outcome) if step.kind == "decision" else None
    return branch.label if branch is not None else run.outcome

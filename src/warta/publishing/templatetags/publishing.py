from __future__ import annotations

from django import template

from warta.publishing.channels import channel_name

register = template.Library()


@register.filter
def channel_label(code: str) -> str:
    """The display name of a channel code (``instagram`` → ``Instagram``)."""
    return channel_name(code)

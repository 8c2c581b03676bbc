from __future__ import annotations

from django import template

from warta.publishing.channels import channel_name

register = template.Library()


@register.filter
def channel_label(code: str) -> str:
    """The display name of a channel code (``instagram`` → ``Instagram``)."""
    return channel_name(code)


@register.inclusion_tag("publishing/_also_on.html")
def also_on(item) -> dict:
    """ "Also on: Instagram, YouTube …" under a public article: its live posts elsewhere."""
    from warta.publishing.selectors import public_links

    return {"links": public_links(item)}

from __future__ import annotations

from django import template

from warta.publishing.channels import channel_name, channel_names

register = template.Library()


@register.filter
def channel_label(code: str) -> str:
    """The display name of a channel code (``instagram`` → ``Instagram``). One query for an
    account code: in a loop, use ``channel_labels`` or ``publication_label``."""
    return channel_name(code)


@register.filter
def channel_labels(codes) -> list[str]:
    """The display names of channel codes (an item's ``channels``), in one query."""
    return channel_names(codes or ())


@register.filter
def publication_label(publication) -> str:
    """The display name of a publication's channel, from its loaded account (no query when
    ``account`` is selected or prefetched)."""
    account = publication.account if publication.account_id else None
    name = account.name if account is not None and account.code == publication.channel else None
    return channel_name(publication.channel, name)


@register.inclusion_tag("publishing/_also_on.html")
def also_on(item) -> dict:
    """ "Also on: Instagram, YouTube …" under a public article: its live posts elsewhere."""
    from warta.publishing.selectors import public_links

    return {"links": public_links(item)}

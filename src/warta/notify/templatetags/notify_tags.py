"""``{% notify_bell %}``: the bell in the top bar, with the unread count (one query)."""

from __future__ import annotations

from django import template

from warta.notify.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notify/_bell_inner.html", takes_context=True)
def notify_bell(context) -> dict:
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    return {"signed_in": signed_in, "unread": unread_count(user) if signed_in else 0}

"""Rendering notification e-mails, in the recipient's language (Indonesian by default)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from warta.notify.models import Notification


def language_for(user) -> str:
    """The user's language if the user model carries one, else the site's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    return settings.WARTA_SITE_URL.rstrip("/") + path


def _common_context() -> dict:
    return {
        "site_url": absolute_url("/"),
        "preferences_url": absolute_url(reverse("notify:preferences")),
    }


def render_notification(notification: Notification, user) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of the immediate e-mail for one notification."""
    with translation.override(language_for(user)):
        context = {
            **_common_context(),
            "user": user,
            "notification": notification,
            "kind_label": notification.get_kind_display(),
            "link": absolute_url(notification.url),
        }
        subject = _("[Warta] %(kind)s: %(title)s") % {
            "kind": context["kind_label"],
            "title": notification.title,
        }
        text = render_to_string("notify/email/notification.txt", context)
        html = render_to_string("notify/email/notification.html", context)
    return _one_line(subject), text, html


def render_digest(
    user, notifications: Sequence[Notification], day: dt.date
) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of the daily digest listing ``notifications``."""
    with translation.override(language_for(user)):
        items = [
            {
                "notification": n,
                "kind_label": n.get_kind_display(),
                "link": absolute_url(n.url),
            }
            for n in notifications
        ]
        context = {**_common_context(), "user": user, "items": items, "day": day}
        subject = ngettext(
            "[Warta] Daily digest %(date)s: %(count)d notification",
            "[Warta] Daily digest %(date)s: %(count)d notifications",
            len(items),
        ) % {
            "date": formats.date_format(day, "j M Y"),
            "count": len(items),
        }
        text = render_to_string("notify/email/digest.txt", context)
        html = render_to_string("notify/email/digest.html", context)
    return _one_line(subject), text, html


def _one_line(subject: str) -> str:
    """Mail headers cannot hold newlines; Django would refuse to send the message."""
    return " ".join(subject.split())[:400]

"""The audit actions of the newsroom: a news item created and its draft saved.

The events of a save name the news text and the coverage notes by reference (SHA-256, length,
and the revision that keeps the text) instead of carrying them; older events carry the texts.
Since issue 12 a save records only what changed; older saves hold the whole item twice. All
read the same here."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import changed_keys, data, register_action


def _title(event) -> str:
    return Truncator(data(event, "title") or "").chars(80)


def _field_name(key: str) -> str:
    from warta.newsroom.models import NewsItem

    if key == "media":
        return _("photos and videos")
    try:
        return str(NewsItem._meta.get_field(key).verbose_name)
    except FieldDoesNotExist:
        return key


def _created(event) -> str:
    return _("News item “%(title)s” created.") % {"title": _title(event)}


def _compared(value):
    """A recorded value as a save compares it: a long text by its hash (events since issue 12
    name the text by reference, ``{"sha256", "length", "revision"?, "text"?}``), anything
    else as it is."""
    if isinstance(value, dict) and "sha256" in value and "length" in value:
        return value["sha256"]
    return value


def _changed(event) -> list[str]:
    """The fields a save changed. Saves before issue 12 hold the whole item on both sides;
    later ones only the changed keys, plus the versions and — in ``after`` alone, unchanged —
    the title that names the item."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return [
        key
        for key in changed_keys(event)
        if key != "edit_version"
        and not (key == "title" and key not in before)
        and _compared(before.get(key)) != _compared(after.get(key))
    ]


def _saved(event) -> str:
    changed = _changed(event)
    if not changed:
        return _("Draft “%(title)s” saved without changes.") % {"title": _title(event)}
    return _("Draft “%(title)s” saved; changed: %(fields)s.") % {
        "title": _title(event),
        "fields": ", ".join(_field_name(key) for key in changed),
    }


def _media_added(event) -> str:
    return _("Added: %(files)s.") % {"files": ", ".join(data(event, "media") or [])}


def register() -> None:
    register_action("newsroom.item_created", gettext_lazy("News item created"), _created)
    register_action("newsroom.draft_saved", gettext_lazy("Draft saved"), _saved)
    register_action("newsroom.media_added", gettext_lazy("Media added"), _media_added)

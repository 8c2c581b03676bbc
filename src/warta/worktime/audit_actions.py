"""The audit action of the working-time calendar: any change to its configuration."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import changed_keys, data, register_action


def _what(event) -> str:
    """The row the event is about: a weekday, a special period or a holiday override."""
    from warta.worktime.models import Weekday

    name, date, weekday = data(event, "name"), data(event, "date"), data(event, "weekday")
    if name:
        return _("special period “%(name)s”") % {"name": name}
    if date:
        return _("date %(date)s") % {"date": date}
    if weekday is not None:
        label = Weekday(weekday).label if weekday in Weekday.values else weekday
        return _("hours of %(day)s") % {"day": label}
    return event.object_type


def _changed(event) -> str:
    what = _what(event)
    if event.after is None:
        return _("Deleted: %(what)s.") % {"what": what}
    if event.before is None:
        return _("Added: %(what)s.") % {"what": what}
    keys = [key for key in changed_keys(event) if key != "updated_at"]
    return _("Changed: %(what)s (%(fields)s).") % {"what": what, "fields": ", ".join(keys)}


def register() -> None:
    from warta.worktime.config import CALENDAR_CHANGED

    register_action(CALENDAR_CHANGED, gettext_lazy("Working calendar changed"), _changed)
    # Events recorded while the calendar lived in the workflow app carry the old code.
    register_action("workflow.calendar_changed", gettext_lazy("Working calendar changed"), _changed)

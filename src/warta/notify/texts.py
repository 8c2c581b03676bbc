"""The words of the notifications about a case's steps.

A notification's kind ("New task", "Reminder", "Late" …) is its label: the list, the e-mail
subject and the e-mail body each show it once, in front of the title. A title therefore never
starts with its kind — "3. Periksa draft — Wisuda", not "New task: 3. Periksa draft — Wisuda",
which came out as "Tugas baru: Tugas baru: …".
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def step_title(*, step: str, title: str) -> str:
    """The title of a notification about one step of a case: "3. Periksa draft — Wisuda"."""
    return f"{step} — {title}"


def person_label(*, name: str, acting_for: str = "") -> str:
    """Who acted, as the timeline shows it: "Plh. Kasubbag Umum dan RT — Rina" for a Plh/Plt."""
    return f"{acting_for} — {name}" if acting_for else name


def returned_title(*, title: str) -> str:
    """The title of the task that comes back for revision: what happened, then which case."""
    return _("Returned for revision — %(title)s") % {"title": title}


def returned_body(*, by: str, at_step: str, note: str) -> str:
    """Who returned the case, at which step, and the note they gave (as written)."""
    lines = [_("%(who)s returned it for revision (%(step)s).") % {"who": by, "step": at_step}]
    if note.strip():
        lines.append(_("Note: %(note)s") % {"note": note.strip()})
    return "\n".join(lines)

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


def step_label(*, number: str, name: str) -> str:
    """A step as people know it: "3. Periksa draft" (just the name when it has no number)."""
    return f"{number}. {name}".lstrip(". ")


def waiting_body(*, since: str, due: str = "") -> str:
    """The body of a new task: since when it waits, and its due time when it has one."""
    body = _("Waiting for you since %(start)s.") % {"start": since}
    if due:
        body += " " + _("Due at %(due)s.") % {"due": due}
    return body


def reminder_body(*, percent: int, due: str) -> str:
    return _("%(percent)s%% of the time standard is used up; the step is due at %(due)s.") % {
        "percent": percent,
        "due": due,
    }


def late_body(*, due: str) -> str:
    return _(
        "The step was due at %(due)s and is not finished. The delay is recorded as a "
        "deviation that the executor must explain."
    ) % {"due": due}


def escalation_body(*, due: str) -> str:
    return _("The step was due at %(due)s and is still not finished.") % {"due": due}


def explained_title(*, step: str) -> str:
    """To the supervisor: an explanation of a deviation at ``step`` waits for their review."""
    return _("Explanation awaiting your review — %(step)s") % {"step": step}


def explained_body(*, name: str, kind: str, title: str) -> str:
    return _(
        "%(name)s explained a deviation (%(kind)s) on “%(title)s”. Please acknowledge or "
        "dispute it."
    ) % {"name": name, "kind": kind, "title": title}


def reviewed_title(*, acknowledged: bool) -> str:
    """To the executor: what the supervisor made of their explanation."""
    if acknowledged:
        return _("Your explanation was acknowledged")
    return _("Your explanation was disputed")

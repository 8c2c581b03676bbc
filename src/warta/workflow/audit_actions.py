"""The audit actions of the engine: cases, steps, deadlines and deviations.

The messages name steps, branches and roles by the labels of the definition the case is pinned
to, so they read the same as the SOP document ("Langkah 3 …: Disetujui").
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.audit.actions import data, lookup, person, register_action


def _definition(event) -> Any:
    """The definition of the case an event is about (None when it cannot be found)."""
    return lookup(("workflow.case", event.object_id), lambda: _case_definition(event.object_id))


def _case_definition(case_id: str) -> Any:
    from warta.workflow.models import Case

    case = Case.objects.select_related("sop").filter(pk=case_id).first()
    return case.sop.definition() if case is not None else None


def _step(definition: Any, step_id: str | None) -> str:
    """ "3 (Periksa draf)" — the SOP number and name of a step, or its id."""
    if not step_id:
        return "–"
    try:
        step = definition.step(step_id)
    except (AttributeError, KeyError):
        return step_id
    return f"{step.number} ({step.name})" if step.number else step.name


def _branch(definition: Any, step_id: str, branch_id: str) -> str:
    try:
        branch = definition.step(step_id).branch(branch_id)
    except (AttributeError, KeyError):
        branch = None
    return branch.label if branch is not None else branch_id


def _role(definition: Any, role_id: str) -> str:
    try:
        return definition.role(role_id).name
    except (AttributeError, KeyError):
        return role_id


def _deviations(event) -> str:
    from warta.workflow.models import Deviation

    kinds = data(event, "deviations") or []
    labels = []
    for kind in kinds:
        try:
            labels.append(str(Deviation.Kind(kind).label))
        except ValueError:
            labels.append(kind)
    if not labels:
        return ""
    return " " + _("Deviation recorded: %(kinds)s.") % {"kinds": ", ".join(labels)}


def _case_started(event) -> str:
    return _("Case “%(title)s” started under %(sop)s version %(version)s.") % {
        "title": Truncator(data(event, "title") or "").chars(80),
        "sop": data(event, "sop", ""),
        "version": data(event, "sop_version", ""),
    }


def _step_completed(event) -> str:
    definition = _definition(event)
    return _("Step %(step)s completed; next: %(next)s.") % {
        "step": _step(definition, data(event, "step")),
        "next": _step(definition, data(event, "next")),
    } + _deviations(event)


def _step_decided(event) -> str:
    definition = _definition(event)
    step_id = data(event, "step")
    return _("Step %(step)s decided: %(branch)s; next: %(next)s.") % {
        "step": _step(definition, step_id),
        "branch": _branch(definition, step_id, data(event, "outcome", "")),
        "next": _step(definition, data(event, "next")),
    } + _deviations(event)


def _step_auto_completed(event) -> str:
    return _("Step %(step)s completed automatically.") % {
        "step": _step(_definition(event), data(event, "step"))
    }


def _step_reassigned(event) -> str:
    from warta.workflow.models import StepRun

    run = StepRun.objects.filter(pk=data(event, "step_run")).only("step_number", "step_name")
    found = run.first()
    step = f"{found.step_number} ({found.step_name})" if found is not None else "–"
    return _("Step %(step)s moved from %(old)s to %(new)s.") % {
        "step": step,
        "old": person((event.before or {}).get("assignee")) or _("the role's queue"),
        "new": person((event.after or {}).get("assignee")) or _("the role's queue"),
    }


def _case_cancelled(event) -> str:
    return _("Case cancelled at step %(step)s.") % {
        "step": _step(_definition(event), (event.before or {}).get("current_step"))
    }


def _step_late(event) -> str:
    from warta.worktime.zone import format_instant

    due = data(event, "due_at")
    with contextlib.suppress(TypeError, ValueError):
        due = format_instant(dt.datetime.fromisoformat(due))
    return _("Step %(step)s was not finished by %(due)s.") % {
        "step": _step(_definition(event), data(event, "step")),
        "due": due,
    }


def _step_escalated(event) -> str:
    definition = _definition(event)
    return _("Step %(step)s is late; escalated to %(roles)s.") % {
        "step": _step(definition, data(event, "step")),
        "roles": ", ".join(_role(definition, role) for role in data(event, "to_roles") or []),
    }


def _deviation_explained(event) -> str:
    return _("Explanation: “%(text)s”") % {
        "text": Truncator(data(event, "explanation") or "").chars(120)
    }


def _deviation_reviewed(event) -> str:
    from warta.workflow.models import Deviation

    review = data(event, "review", "")
    with contextlib.suppress(ValueError):
        review = Deviation.Review(review).label
    return _("Explanation reviewed: %(review)s.") % {"review": review}


def register() -> None:
    register_action("workflow.case_started", gettext_lazy("Case started"), _case_started)
    register_action("workflow.step_completed", gettext_lazy("Step completed"), _step_completed)
    register_action("workflow.step_decided", gettext_lazy("Step decided"), _step_decided)
    register_action(
        "workflow.step_auto_completed",
        gettext_lazy("Step completed automatically"),
        _step_auto_completed,
    )
    register_action("workflow.step_reassigned", gettext_lazy("Step reassigned"), _step_reassigned)
    register_action("workflow.case_cancelled", gettext_lazy("Case cancelled"), _case_cancelled)
    register_action("workflow.case_reopened", gettext_lazy("Case reopened for a correction"))
    register_action("workflow.step_late", gettext_lazy("Step late"), _step_late)
    register_action("workflow.step_escalated", gettext_lazy("Step escalated"), _step_escalated)
    register_action(
        "workflow.deviation_explained",
        gettext_lazy("Deviation explained"),
        _deviation_explained,
    )
    register_action(
        "workflow.deviation_reviewed", gettext_lazy("Deviation reviewed"), _deviation_reviewed
    )

"""The actions open to a person on a case's open step, and the one service that performs one.

A subject's page (the news item page) asks :func:`open_step` what to show and posts back to a
view that calls :func:`perform_action`; neither knows which SOP, step or branch it is about.
Besides the step's own actions (from its capability, see ``capabilities``), a supervisor of the
step's role (or an admin) may move the step to another holder of the role: that is the engine's
own action :data:`REASSIGN`, with its own form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.accounts.selectors import users_in_role
from warta.workflow import services
from warta.workflow.capabilities import Action, Capability, NoteField, StepContext
from warta.workflow.errors import InvalidBranch, NotPermitted, ReasonRequired, WorkflowError
from warta.workflow.limits import NOTE_MAX_LENGTH
from warta.workflow.models import Case, StepRun
from warta.workflow.registry import capability_for

# A dotted name can never be a branch id of a definition (ids have no dots).
REASSIGN = "workflow.reassign"


class ActionRefused(WorkflowError):
    """The action's form did not validate; ``form`` is bound, with its errors."""

    code = "action-form-invalid"
    status = 400

    def __init__(self, message: str, form: forms.Form) -> None:
        super().__init__(message)
        self.form = form


class StepGone(WorkflowError):
    code = "step-not-of-case"
    status = 409

    def __init__(self) -> None:
        super().__init__(_("This step is not a step of this item (the page may be out of date)."))


class IncompleteRequest(WorkflowError):
    """The posted form lacks what every action needs (the step run), e.g. a forged request."""

    code = "incomplete-request"
    status = 400

    def __init__(self) -> None:
        super().__init__(
            _("The request was incomplete; nothing was changed. Reload the page and try again.")
        )


class ReassignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("New holder"), queryset=get_user_model().objects.none()
    )
    reason = NoteField(
        label=gettext_lazy("Reason"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, candidates: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = get_user_model().objects.filter(pk__in=[p.pk for p in candidates])
        field.label_from_instance = lambda person: person.get_full_name() or person.username
        field.error_messages["invalid_choice"] = _("Choose the person to take over this step.")


@dataclass
class OpenStep:
    """What ``user`` may do on a case's open step; everything a page needs to show it."""

    ctx: StepContext | None
    capability: Capability | None
    actions: list[Action]
    form: forms.Form | None  # the step actions' form (None when the user may not act)
    note_label: str
    why_not: str  # why the user may not act, when they may not
    editable: bool  # the user may edit the subject now
    reassign_form: ReassignForm | None  # when the user may move the step to someone else

    @property
    def may_act(self) -> bool:
        return bool(self.actions) or self.editable


def step_context(case: Case, run: StepRun) -> StepContext:
    definition = case.sop.definition()
    return StepContext(case=case, run=run, step=definition.step(run.step_id), definition=definition)


def reassign_candidates(ctx: StepContext, user: Any) -> list:
    """Other holders of the step's role, when ``user`` may move the step to them."""
    if not user.has_perm("workflow.reassign_step", ctx.run):  # see warta.policy
        return []
    return [person for person in users_in_role(ctx.run.role_id) if person.pk != ctx.run.assignee_id]


def open_step(
    *, case: Case, run: StepRun | None, user: Any, data: Any = None, action: str = ""
) -> OpenStep:
    """The actions open to ``user`` on ``run``. ``data``/``action`` bind the form of the action
    that was just refused, so the page shows it again as it was typed."""
    if run is None:
        return OpenStep(None, None, [], None, "", "", False, None)
    ctx = step_context(case, run)
    capability = capability_for(ctx.step)
    candidates = reassign_candidates(ctx, user)
    reassign_form = None
    if candidates:
        bound = data if action == REASSIGN else None
        reassign_form = ReassignForm(bound, candidates=candidates)
    why_not = ""
    actions: list[Action] = []
    try:
        services.check_actor(case=case, run=run, user=user)
    except WorkflowError as error:
        why_not = error.message
    else:
        actions = capability.get_actions(ctx) if capability is not None else []
    form = None
    if actions:
        chosen = next((a for a in actions if a.name == action), None)
        form = capability.get_form_for_action(ctx, chosen, data if chosen else None)
    return OpenStep(
        ctx=ctx,
        capability=capability,
        actions=actions,
        form=form,
        note_label=capability.note_label(ctx) if actions else "",
        why_not=why_not,
        editable=bool(actions) and capability.editable,
        reassign_form=reassign_form,
    )


@dataclass(frozen=True)
class Outcome:
    case: Case
    message: str  # what was done, what happens next and who has the case now


def _form_problem(form: forms.Form) -> str:
    if "reason" in form.errors:
        return _("The note was not accepted: %(why)s") % {"why": " ".join(form.errors["reason"])}
    return _("Check the fields marked below; nothing was changed.")


@transaction.atomic
def perform_action(
    *, case_id: int, step_run_id: int, action: str, user: Any, data: Any, ip: str = ""
) -> Outcome:
    """Perform the action named ``action`` on the step run, with the posted ``data``.

    Raises a :class:`WorkflowError` (nothing changed) when the action is unknown, its form is
    invalid (:class:`ActionRefused`, with the bound form), or the service refuses it.
    """
    run = (
        StepRun.objects.select_related("case", "case__sop")
        .filter(pk=step_run_id, case_id=case_id)
        .first()
    )
    if run is None:
        raise StepGone()
    ctx = step_context(run.case, run)
    if action == REASSIGN:
        return _reassign(ctx, user=user, data=data, ip=ip)
    capability = capability_for(ctx.step)
    chosen = None
    if capability is not None:
        chosen = next((a for a in capability.get_actions(ctx) if a.name == action), None)
    if chosen is None:
        raise InvalidBranch(_("Unknown choice: %(branch)s.") % {"branch": action[:64]})
    form = capability.get_form_for_action(ctx, chosen, data)
    if not form.is_valid():
        raise ActionRefused(_form_problem(form), form)
    if chosen.reason_required and not form.cleaned_data.get("reason", "").strip():
        raise ReasonRequired()
    case = capability.on_action(ctx, chosen, user=user, form=form, ip=ip)
    return Outcome(case, _joined(chosen.done, where_now(case)))


def _reassign(ctx: StepContext, *, user: Any, data: Any, ip: str) -> Outcome:
    candidates = reassign_candidates(ctx, user)
    if not candidates:
        raise NotPermitted(_("Only a supervisor may reassign this step."))
    form = ReassignForm(data, candidates=candidates)
    if not form.is_valid():
        raise ActionRefused(_form_problem(form), form)
    run = services.reassign(
        case_id=ctx.case.pk,
        step_run_id=ctx.run.pk,
        user=user,
        assignee=form.cleaned_data["assignee"],
        reason=form.cleaned_data["reason"],
        ip=ip,
    )
    moved = _("The step was moved to %(name)s.") % {"name": _person(form.cleaned_data["assignee"])}
    return Outcome(run.case, moved)


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def where_now(case: Case) -> str:
    """Where the case stands and who has it, in one sentence for the message after an action."""
    definition = case.sop.definition()
    if not case.is_open:
        end = definition.step_or_none(case.end_state)
        return _("The process has ended: %(end)s.") % {
            "end": end.name if end else case.get_status_display()
        }
    run = case.step_runs.filter(finished_at__isnull=True).select_related("assignee").first()
    if run is None:
        return ""
    step = definition.step(run.step_id)
    if run.assignee is not None:
        holder = _person(run.assignee)
    else:
        holder = _("the %(role)s queue") % {"role": definition.role(run.role_id).name}
    return _("Now at step %(number)s, %(step)s, with %(holder)s.") % {
        "number": step.number or "-",
        "step": step.name,
        "holder": holder,
    }

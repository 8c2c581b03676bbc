"""What the software does at a step: capabilities, their actions and their forms.

A capability serves the steps whose definition names it (``uses: newsroom.edit``). In the manner
of Wagtail's workflow tasks (``get_actions`` / ``get_form_for_action`` / ``on_action``) it says
which actions a person may take at the step, the form an action needs, whether the subject may
be edited there, and how an action is performed — always through a service function, which
checks again under the case lock. Apps subclass :class:`Capability` and register an instance
with :func:`warta.workflow.registry.register_capability` from their ``AppConfig.ready()``.

The engine registers its two defaults here: ``workflow.complete`` (a manual step: one action,
"done", with an optional note) and ``workflow.decide`` (a decision: one action per branch of the
definition, a reason where the branch asks for one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from warta.workflow.limits import NOTE_MAX_LENGTH

if TYPE_CHECKING:
    from warta.sop.definition import SopDefinition, Step
    from warta.workflow.models import Case, StepRun


@dataclass(frozen=True)
class Action:
    """One thing a person may do at a step (a button on the page)."""

    name: str  # unique within the step; posted back by the page
    label: str
    reason_required: bool = False
    style: str = "primary"  # primary | warn | danger: how prominent the button is
    # What the person did, in the past tense, for the message after it ("Draft returned.").
    done: str = ""


@dataclass(frozen=True)
class StepContext:
    """The open step run an action is about, with its case and the case's definition."""

    case: Case
    run: StepRun
    step: Step
    definition: SopDefinition


class NoteField(forms.CharField):
    """A textarea note. Browsers send line breaks as CRLF but count them as one character for
    ``maxlength``; counting them as one here too keeps both limits the same."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


class StepActionForm(forms.Form):
    """The note every step action may carry, and the executor's confirmation of the step's
    items that no application can check (artifacts without ``provided_by``). Capabilities add
    their own fields."""

    reason = NoteField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, confirmable: list[tuple[str, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        if confirmable:
            self.fields["confirmed"] = forms.MultipleChoiceField(
                label=_("Items I confirm are complete"),
                choices=confirmable,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def confirmed(self) -> list[str]:
        return list(self.cleaned_data.get("confirmed", []))


def confirmable_items(ctx: StepContext) -> list[tuple[str, str]]:
    """(id, name) of the step's kelengkapan and output items that only the executor can
    confirm: no registered provider can tell whether they are there."""
    from warta.workflow.registry import provider

    items: dict[str, str] = {}
    for quality in (ctx.step.kelengkapan, ctx.step.output):
        for requirement in quality.items:
            artifact = ctx.definition.artifact(requirement.artifact)
            if not (artifact.provided_by and provider(artifact.provided_by)):
                items.setdefault(artifact.id, artifact.name)
    return list(items.items())


class Capability:
    """Base class; subclasses set ``name``, ``label`` and ``kinds`` and override what differs."""

    name: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    kinds: ClassVar[tuple[str, ...]] = ("manual",)
    # Whether the case's subject may be edited while a step served by this capability is open
    # (by the person who may act on it).
    editable: ClassVar[bool] = False
    # The page fragment that shows this capability's form, or "" for the generic one.
    template_name: ClassVar[str] = ""

    def get_actions(self, ctx: StepContext) -> list[Action]:
        return []

    def get_form_for_action(
        self, ctx: StepContext, action: Action | None, data: Any = None
    ) -> forms.Form:
        """The form the page shows for the step's actions (they share one form on the page) and
        the view binds for the action taken."""
        return StepActionForm(data, confirmable=confirmable_items(ctx))

    def on_action(
        self, ctx: StepContext, action: Action, *, user: Any, form: forms.Form, ip: str
    ) -> Case:
        """Perform ``action`` through a service function; return the case afterwards."""
        raise NotImplementedError

    def note_label(self, ctx: StepContext) -> str:
        if any(action.reason_required for action in self.get_actions(ctx)):
            return _("Notes (required when returning or refusing)")
        return _("Notes (optional)")


class CompleteStep(Capability):
    """A manual step that is simply done, with an optional note."""

    name = "workflow.complete"
    label = gettext_lazy("Complete the step")
    kinds = ("manual",)

    def get_actions(self, ctx: StepContext) -> list[Action]:
        return [
            Action(
                name="complete",
                label=_("Done: %(step)s") % {"step": ctx.step.name},
                done=_("Done: %(step)s.") % {"step": ctx.step.name},
            )
        ]

    def on_action(self, ctx, action, *, user, form, ip):
        from warta.workflow.services import complete_step

        return complete_step(
            case_id=ctx.case.pk,
            step_run_id=ctx.run.pk,
            user=user,
            note=form.cleaned_data["reason"],
            confirmed=form.confirmed(),
            ip=ip,
        )


def branch_style(definition: SopDefinition, branch, first: bool) -> str:
    if branch.revision:
        return "warn"
    if definition.branch_result(branch) in ("refused", "cancelled"):
        return "danger"
    return "primary" if first else "plain"


class DecideStep(Capability):
    """A decision: one action per branch of the definition, named by the branch."""

    name = "workflow.decide"
    label = gettext_lazy("Decide")
    kinds = ("decision",)

    def get_actions(self, ctx: StepContext) -> list[Action]:
        actions = []
        for position, branch in enumerate(ctx.step.branches):
            if branch.revision:
                done = _("Returned for revision.")
            else:
                done = _("Decided: %(choice)s.") % {"choice": branch.label}
            actions.append(
                Action(
                    name=branch.id,
                    label=branch.label,
                    reason_required=branch.reason_required,
                    style=branch_style(ctx.definition, branch, position == 0),
                    done=done,
                )
            )
        return actions

    def on_action(self, ctx, action, *, user, form, ip):
        from warta.workflow.services import decide

        return decide(
            case_id=ctx.case.pk,
            step_run_id=ctx.run.pk,
            user=user,
            branch=action.name,
            reason=form.cleaned_data["reason"],
            confirmed=form.confirmed(),
            ip=ip,
        )


COMPLETE = CompleteStep()
DECIDE = DecideStep()

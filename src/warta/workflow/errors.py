"""Why a workflow action was refused. Every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from warta.errors import WartaError
from warta.worktime.zone import format_instant


class WorkflowError(WartaError):
    """Base of the engine's refusals; ``str()`` is the message for the user."""

    code = "workflow-error"


class CaseClosed(WorkflowError):
    code = "case-closed"
    status = 409

    def __init__(self, status_label: str) -> None:
        super().__init__(_("This case is already closed (%(status)s).") % {"status": status_label})


class AlreadyProcessed(WorkflowError):
    """The step the user acted on was finished by someone else in the meantime."""

    code = "already-processed"
    status = 409

    def __init__(self, by_name: str, at: dt.datetime) -> None:
        super().__init__(
            _("This step was already processed by %(name)s at %(time)s.")
            % {"name": by_name, "time": format_instant(at)}
        )
        self.by_name = by_name
        self.at = at


class CaseAlreadyOpen(WorkflowError):
    code = "case-already-open"

    def __init__(self) -> None:
        super().__init__(_("This item already has a case in progress."))


class NotPermitted(WorkflowError):
    code = "not-permitted"
    status = 403


class WrongStepKind(WorkflowError):
    code = "wrong-step-kind"


class InvalidBranch(WorkflowError):
    code = "invalid-branch"


class ReasonRequired(WorkflowError):
    code = "reason-required"

    def __init__(self) -> None:
        super().__init__(_("A reason is required for this decision."))


class RequirementsMissing(WorkflowError):
    """A blocking kelengkapan or output item is missing."""

    code = "requirements-missing"

    def __init__(self, missing_names: list[str]) -> None:
        super().__init__(
            _("This step cannot be finished yet; missing: %(items)s.")
            % {"items": ", ".join(missing_names)}
        )
        self.missing_names = missing_names

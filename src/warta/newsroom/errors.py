"""Why a newsroom action was refused. Like the engine's refusals, each one changes nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from warta.workflow.errors import WorkflowError


class NotEditable(WorkflowError):
    code = "not-editable"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _("This item cannot be edited now: it is not at the note or editing step.")
        )


class EditConflict(WorkflowError):
    """The text was saved elsewhere (another tab or person) since this editor loaded it."""

    code = "edit-conflict"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _(
                "This text was changed elsewhere after you opened it. Your version is kept in "
                "this browser; reload the page to see the newer version."
            )
        )


class NoNewsSop(WorkflowError):
    """No active SOP starts with writing a news item (or several do and none is chosen)."""

    code = "no-news-sop"
    status = 409

    def __init__(self) -> None:
        super().__init__(
            _(
                "No active SOP starts with writing a news item, or several do and "
                "WARTA_NEWSROOM_SOP does not choose one. Ask the SOP owner to load one."
            )
        )

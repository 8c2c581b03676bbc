"""What accounts does when other apps report a change (connected in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from warta.accounts.services import sync_roles
from warta.sop.definition import SopDefinition


def sync_roles_of_loaded_sop(sender: Any, *, definition: SopDefinition, **kwargs: Any) -> None:
    """An SOP definition was loaded (``warta.sop.signals.sop_loaded``): its swimlanes are the
    roles people hold, so each gets its ``Role`` and group. Runs inside the load's transaction;
    an error here rolls the load back."""
    sync_roles(roles=definition.roles)

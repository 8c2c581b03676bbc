"""System checks of the engine (``manage.py check``, and every start of ``warta serve``).

A definition may name a capability (``uses:``) or an artifact provider (``provided_by:``) that no
installed application registers — e.g. after an app was removed or renamed. Loading such a file
is refused by the validator; this check catches what is already in the database, and the
definitions shipped with Warta, before anyone meets a step nobody can serve.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core import checks
from django.db import DatabaseError

from warta.sop.errors import DefinitionInvalid


def _shipped() -> list[tuple[str, Any]]:
    from warta.sop.loader import load_definition_text, read_definition_file
    from warta.sop.services import shipped_definition_paths

    found = []
    for path in shipped_definition_paths():
        try:
            found.append(
                (path.name, load_definition_text(read_definition_file(path), installed=False))
            )
        except DefinitionInvalid:  # an invalid shipped file is its own test's business
            continue
    return found


def _loaded() -> list[tuple[str, Any]]:
    from warta.sop.models import SopVersion

    found = []
    for version in SopVersion.objects.filter(is_active=True).order_by("code"):
        found.append((f"{version.code} {version.version}", version.definition()))
    return found


def definitions_use_registered_names(app_configs: Any = None, databases: Any = None, **kwargs: Any):
    from warta.workflow.registry import unregistered_names

    sources = _shipped()
    if databases:
        with contextlib.suppress(DatabaseError):  # not migrated yet: nothing loaded to check
            sources += _loaded()
    errors = []
    for label, definition in sources:
        for problem in unregistered_names(definition):
            errors.append(
                checks.Error(
                    f"SOP {label}: {problem}",
                    hint="Install the application that provides it, or load a revision of "
                    "the SOP that names a registered one (see docs/sop-format.md).",
                    id="warta.E001",
                )
            )
    return errors


def register() -> None:
    # The loaded definitions are read only when the check is given databases (``migrate``,
    # ``check --database default``, ``warta serve``), as Django's own database checks do.
    checks.register(definitions_use_registered_names, "warta")

"""Loading SOP definitions into the database.

``load_sop`` is the only way a ``SopVersion`` is created: it validates first (an invalid
definition raises ``DefinitionInvalid`` and changes nothing), is idempotent (the same content
loaded again returns the existing version), and activates a new version for its code in one
transaction with its audit event.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.db import IntegrityError, transaction

from warta.sop.definition import SopDefinition
from warta.sop.loader import load_definition_text, read_definition_file
from warta.sop.models import SopVersion
from warta.sop.signals import sop_loaded

DEFINITIONS_DIR = Path(__file__).resolve().parent / "definitions"
_ATTEMPTS = 3  # concurrent loads of the same code: the loser retries against the winner's row


def _read(path_or_text: str | os.PathLike[str], filename: str | None) -> tuple[str, str, str]:
    """``(text, name for error messages, name to store)``.

    A path object (``pathlib.Path``) is read as a file; a ``str`` is always the definition's
    text, never a file name, so text that arrives from a user can never make Warta read a file.
    """
    if isinstance(path_or_text, os.PathLike):
        path = Path(path_or_text)
        text = read_definition_file(path)
        return text, filename or str(path), filename or path.name
    return str(path_or_text), filename or "<text>", filename or ""


SNAPSHOT_FIELDS = ("code", "name", "version", "content_hash", "filename", "origin")


def load_sop(
    *,
    path_or_text: str | os.PathLike[str],
    loaded_by: Any = None,
    filename: str | None = None,
    origin: str = SopVersion.Origin.FILE,
    ip: str = "",
) -> SopVersion:
    """Validate and load a definition; return its ``SopVersion``.

    Raises ``warta.sop.errors.DefinitionInvalid`` (nothing changed) for an invalid definition
    and ``OSError`` for a file that cannot be read. Loading content that is already loaded for
    its code returns that version unchanged — even when a later version is active, so that
    re-running ``sop load --shipped`` never undoes a revision loaded since. The returned object
    carries ``newly_loaded``: True when this call created it.
    """
    text, error_name, stored_name = _read(path_or_text, filename)
    definition = load_definition_text(text, error_name)
    for attempt in range(_ATTEMPTS):
        try:
            return _store(
                definition=definition,
                text=text,
                filename=stored_name,
                origin=origin,
                loaded_by=loaded_by,
                ip=ip,
            )
        except IntegrityError:
            # Someone loaded the same code at the same moment; their row is committed now.
            if attempt == _ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _store(
    *,
    definition: SopDefinition,
    text: str,
    filename: str,
    origin: str,
    loaded_by: Any,
    ip: str,
) -> SopVersion:
    from warta.audit.services import record_event
    from warta.audit.snapshots import snapshot

    with transaction.atomic():
        existing = SopVersion.objects.filter(
            code=definition.code, content_hash=definition.content_hash
        ).first()
        if existing is not None:
            # Loaded before: receivers still bring their data in line (e.g. the role groups).
            sop_loaded.send(
                sender=SopVersion, version=existing, definition=definition, created=False
            )
            existing.newly_loaded = False
            return existing
        previous = (
            SopVersion.objects.select_for_update(no_key=True)
            .filter(code=definition.code, is_active=True)
            .first()
        )
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        version = SopVersion.objects.create(
            code=definition.code,
            name=definition.identity.name,
            version=definition.version,
            revision_date=definition.revision_date,
            content_hash=definition.content_hash,
            source_text=text,
            filename=filename[:255],
            origin=origin,
            loaded_by=loaded_by,
            is_active=True,
        )
        record_event(
            action="sop.loaded",
            actor=loaded_by,
            object_type="sop.sopversion",
            object_id=version.pk,
            before={"active_version": previous.version} if previous is not None else None,
            after=snapshot(version, SNAPSHOT_FIELDS, active=True),
            ip=ip,
        )
        sop_loaded.send(sender=SopVersion, version=version, definition=definition, created=True)
    version.newly_loaded = True
    return version


def shipped_definition_paths() -> list[Path]:
    """The definitions that ship with Warta (``src/warta/sop/definitions/*.yaml``)."""
    return sorted(DEFINITIONS_DIR.glob("*.yaml"))


ShippedStatus = Literal["new", "existing", "kept-local"]


@dataclass(frozen=True)
class ShippedLoad:
    """What ``load_shipped`` did with one shipped file.

    ``new``: loaded and activated. ``existing``: this content was already loaded (nothing
    changed). ``kept-local``: a version loaded by the SOP owner (not shipped) is active for this
    code, so the shipped file is not forced over it; ``version`` is that active version.
    """

    path: Path
    status: ShippedStatus
    version: SopVersion


def load_shipped(*, loaded_by: Any = None) -> list[ShippedLoad]:
    """Load every shipped definition whose code has no locally loaded revision active.

    Raises ``DefinitionInvalid`` if a shipped file is invalid (a bug of the release: the test
    suite validates them).
    """
    from warta.sop.loader import load_definition_file

    results: list[ShippedLoad] = []
    for path in shipped_definition_paths():
        definition = load_definition_file(path)
        existing = SopVersion.objects.filter(
            code=definition.code, content_hash=definition.content_hash
        ).first()
        if existing is not None:
            results.append(ShippedLoad(path=path, status="existing", version=existing))
            continue
        active = SopVersion.objects.filter(code=definition.code, is_active=True).first()
        if active is not None and active.origin != SopVersion.Origin.SHIPPED:
            results.append(ShippedLoad(path=path, status="kept-local", version=active))
            continue
        version = load_sop(path_or_text=path, loaded_by=loaded_by, origin=SopVersion.Origin.SHIPPED)
        status: ShippedStatus = "new" if version.newly_loaded else "existing"
        results.append(ShippedLoad(path=path, status=status, version=version))
    return results

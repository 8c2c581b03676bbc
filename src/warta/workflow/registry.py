"""How applications plug into the generic engine.

The SOP definition names, per step, the capability that serves it (``uses: newsroom.edit``)
and, per artifact, the provider that can tell whether it is there (``provided_by:
newsroom.photos``). Applications register those names here from their ``AppConfig.ready()``;
the engine never knows what a news item is. A step without ``uses`` is served by the engine's
default capability for its kind (``workflow.complete`` for a manual step, ``workflow.decide``
for a decision). An artifact without ``provided_by`` is confirmed by the executor (the action
passes the ids of the items the executor ticked).

``SubjectHooks`` answer what only the subject's app knows about a case: its page (for links in
notifications and after actions).

Every name a loaded definition uses must be registered: the definition check below runs in
every validation (``warta sop validate``, loading, the admin upload) and the system check in
``warta.workflow.checks`` runs it again at start-up for the definitions already loaded.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from warta.sop.definition import Artifact, SopDefinition, Step
    from warta.sop.schema import Context
    from warta.workflow.capabilities import Capability
    from warta.workflow.models import Case


class SubjectHooks(Protocol):
    def subject_url(self, case: Case) -> str:
        """The page of the case's subject ("" when there is none)."""


class ArtifactProvider(Protocol):
    """Tells whether a case's subject holds an artifact (the news text, a photo …)."""

    name: str  # the name definitions use in ``provided_by``
    label: str  # for people (the admin, error messages)

    def present(self, case: Case) -> bool | None:
        """True/False when the provider can tell; None to fall back to the executor's word
        (e.g. the case has no subject of the provider's kind)."""


T = TypeVar("T")

_hooks: dict[str, SubjectHooks] = {}
_capabilities: dict[str, Capability] = {}
_providers: dict[str, ArtifactProvider] = {}


# --- subjects ------------------------------------------------------------------------------


def register_subject(subject_type: str, hooks: SubjectHooks) -> None:
    _hooks[subject_type] = hooks


def unregister_subject(subject_type: str) -> None:
    _hooks.pop(subject_type, None)


def hooks_for(subject_type: str) -> SubjectHooks | None:
    return _hooks.get(subject_type)


def subject_url(case: Case) -> str:
    hooks = hooks_for(case.subject_type)
    return hooks.subject_url(case) if hooks is not None else ""


# --- capabilities --------------------------------------------------------------------------


def register_capability(capability: Capability) -> None:
    """Make ``capability`` available to definitions under ``capability.name``. Registering the
    same name twice with a different object is a programming error."""
    existing = _capabilities.get(capability.name)
    if existing is not None and existing is not capability:
        raise ValueError(f"capability {capability.name!r} is already registered")
    _capabilities[capability.name] = capability


def unregister_capability(name: str) -> None:
    _capabilities.pop(name, None)


def capability(name: str) -> Capability | None:
    return _capabilities.get(name)


def registered_capabilities() -> dict[str, Capability]:
    return dict(_capabilities)


def default_capability_name(kind: str) -> str | None:
    return {"manual": "workflow.complete", "decision": "workflow.decide"}.get(kind)


def capability_for(step: Step) -> Capability | None:
    """The capability serving ``step``: the one it names, else the default for its kind;
    None for automatic steps and end states (nobody acts on them)."""
    name = step.uses or default_capability_name(step.kind)
    return _capabilities.get(name) if name else None


# --- artifact providers --------------------------------------------------------------------


def register_provider(provider: ArtifactProvider) -> None:
    existing = _providers.get(provider.name)
    if existing is not None and existing is not provider:
        raise ValueError(f"artifact provider {provider.name!r} is already registered")
    _providers[provider.name] = provider


def unregister_provider(name: str) -> None:
    _providers.pop(name, None)


def provider(name: str) -> ArtifactProvider | None:
    return _providers.get(name)


def registered_providers() -> dict[str, ArtifactProvider]:
    return dict(_providers)


def artifact_present(artifact: Artifact, case: Case) -> bool | None:
    """Whether the case's subject holds ``artifact``; None when no provider can tell."""
    found = _providers.get(artifact.provided_by) if artifact.provided_by else None
    return found.present(case) if found is not None else None


def artifacts_present(artifacts: Iterable[Artifact], case: Case) -> dict[str, bool | None]:
    """:func:`artifact_present` for several artifacts at once, by artifact id: each asked once,
    and the providers share what they read of the subject (see :func:`shared_read`) — a step's
    check asks about the same photos for its kelengkapan and its output."""
    answers: dict[str, bool | None] = {}
    token = _shared.set({})
    try:
        for artifact in artifacts:
            if artifact.id not in answers:
                answers[artifact.id] = artifact_present(artifact, case)
    finally:
        _shared.reset(token)
    return answers


_shared: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar(
    "warta_registry_shared_read", default=None
)


def shared_read(key: Hashable, read: Callable[[], T]) -> T:
    """For providers: ``read()`` once per :func:`artifacts_present` call for ``key`` (e.g. the
    subject's media, read once for the photos, the videos and the alt text); outside such a
    call, ``read()`` every time."""
    shared = _shared.get()
    if shared is None:
        return read()
    if key not in shared:
        shared[key] = read()
    return shared[key]


# --- checks --------------------------------------------------------------------------------


def unregistered_names(definition: SopDefinition) -> list[str]:
    """Plain-language problems with the names ``definition`` uses (empty when all is well)."""
    problems = []
    for step in definition.steps:
        if step.uses:
            problems.extend(_capability_problems(step.uses, step.kind, step.id))
    for artifact in definition.artifacts:
        if artifact.provided_by and artifact.provided_by not in _providers:
            problems.append(_unknown_provider(artifact.provided_by, artifact.id))
    return problems


def _capability_problems(name: str, kind: Any, step_id: str) -> list[str]:
    found = _capabilities.get(name)
    if found is None:
        return [
            _(
                "Step '%(step)s' uses the capability '%(name)s', which no installed application "
                "registers. Registered: %(known)s."
            )
            % {"step": step_id, "name": name, "known": ", ".join(sorted(_capabilities)) or "-"}
        ]
    if isinstance(kind, str) and kind not in found.kinds:
        return [
            _(
                "Step '%(step)s' is a %(kind)s step, but the capability '%(name)s' serves only "
                "%(kinds)s steps."
            )
            % {"step": step_id, "kind": kind, "name": name, "kinds": ", ".join(found.kinds)}
        ]
    return []


def _unknown_provider(name: str, artifact_id: str) -> str:
    return _(
        "Artifact '%(artifact)s' is provided by '%(name)s', which no installed application "
        "registers. Registered: %(known)s."
    ) % {"artifact": artifact_id, "name": name, "known": ", ".join(sorted(_providers)) or "-"}


def check_definition_names(data: dict, ctx: Context) -> None:
    """The validator's part: report unregistered names where the file names them."""
    steps = data.get("steps")
    for position, step in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(step, dict) and isinstance(step.get("uses"), str):
            for problem in _capability_problems(step["uses"], step.get("kind"), step.get("id")):
                ctx.error(("steps", position, "uses"), "unknown-capability", problem)
    artifacts = data.get("artifacts")
    for position, item in enumerate(artifacts if isinstance(artifacts, list) else []):
        name = item.get("provided_by") if isinstance(item, dict) else None
        if isinstance(name, str) and name not in _providers:
            ctx.error(
                ("artifacts", position, "provided_by"),
                "unknown-provider",
                _unknown_provider(name, item.get("id")),
            )

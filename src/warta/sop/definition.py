"""The in-memory form of an SOP definition.

A definition file (YAML, see docs/sop-format.md) is parsed and validated by ``warta.sop.loader``
into these frozen dataclasses. The workflow engine reads only these classes, never the YAML, so
the file format can evolve without touching the engine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

StepKind = Literal["manual", "automatic", "decision", "end"]
OnMissing = Literal["block", "deviation"]
EndResult = Literal["completed", "refused", "cancelled"]


@dataclass(frozen=True)
class Official:
    """Who signed the SOP (``disahkan oleh``)."""

    title: str = ""
    name: str = ""
    nip: str = ""
    note: str = ""


@dataclass(frozen=True)
class Identity:
    """The identity table (identitas SOP) of the PermenPAN-RB 35/2012 "SOP AP" layout."""

    institution: tuple[str, ...]  # top-down: ministry, agency, unit
    name: str
    number: str
    created: dt.date | None
    revised: dt.date | None
    effective: dt.date | None
    approved_by: Official
    section: str = ""  # the unit that owns the SOP (seksi/bagian), when stated


@dataclass(frozen=True)
class Role:
    """A swimlane: who performs steps. Users hold roles through Django groups."""

    id: str
    name: str
    description: str = ""
    supervisor: str | None = None  # role id one level up, for escalation


@dataclass(frozen=True)
class Artifact:
    """A thing a step needs (kelengkapan) or produces (output), e.g. the news text."""

    id: str
    name: str
    description: str = ""
    provided_by: str | None = None  # the registered provider that can tell whether it is there


@dataclass(frozen=True)
class Requirement:
    """One artifact a step needs or must produce, and what happens when it is missing."""

    artifact: str
    on_missing: OnMissing = "block"


@dataclass(frozen=True)
class Quality:
    """One mutu baku column (kelengkapan or output): the SOP's wording and checkable items."""

    text: str = ""
    items: tuple[Requirement, ...] = ()


@dataclass(frozen=True)
class Branch:
    """A named way out of a decision step."""

    id: str
    label: str
    next: str
    reason_required: bool = False
    revision: bool = False  # taking this branch starts a new revision round


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    kind: StepKind
    number: str = ""  # the row number in the SOP table ("1".."7"); empty for end states
    activity: str = ""  # the SOP's own wording of the activity
    actor: str | None = None  # role id; None only for end states
    time: dt.timedelta | None = None  # working-time standard; None when unknown
    time_unknown: bool = False  # True when the definition says ``time: unknown``
    kelengkapan: Quality = field(default_factory=Quality)
    output: Quality = field(default_factory=Quality)
    next: str | None = None  # for manual and automatic steps
    question: str = ""  # for decision steps
    branches: tuple[Branch, ...] = ()  # for decision steps
    result: EndResult | None = None  # for end states
    reconstructed: bool = False  # the step is not readable in the source and was rebuilt
    note: str = ""  # the definition's own remark about this step
    uses: str | None = None  # the registered capability that serves the step (None: the default)

    @property
    def is_end(self) -> bool:
        return self.kind == "end"

    def branch(self, branch_id: str | None) -> Branch | None:
        return next((b for b in self.branches if b.id == branch_id), None)

    def successors(self) -> tuple[str, ...]:
        if self.kind == "decision":
            return tuple(b.next for b in self.branches)
        return (self.next,) if self.next else ()


@dataclass(frozen=True)
class SeparationRule:
    """Whoever performed any of ``performed`` in a case may not perform ``excluded`` in it."""

    name: str
    performed: tuple[str, ...]
    excluded: tuple[str, ...]


@dataclass(frozen=True)
class SopDefinition:
    code: str  # stable identifier across revisions, usually the SOP number
    identity: Identity
    legal_basis: tuple[str, ...]
    qualifications: tuple[str, ...]
    equipment: tuple[str, ...]
    warnings: tuple[str, ...]
    recording: tuple[str, ...]
    roles: tuple[Role, ...]
    artifacts: tuple[Artifact, ...]
    steps: tuple[Step, ...]
    start: str
    separation_of_duties: tuple[SeparationRule, ...] = ()
    content_hash: str = ""  # sha256 of the canonical content, set by the loader

    @property
    def revision_date(self) -> dt.date | None:
        return self.identity.revised or self.identity.created

    @property
    def version(self) -> str:
        """``<revision date>+<12 hex of the content hash>``, e.g. ``2024-07-02+1a2b3c4d5e6f``."""
        date = self.revision_date.isoformat() if self.revision_date else "undated"
        return f"{date}+{self.content_hash[:12]}"

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def role(self, role_id: str) -> Role:
        for role in self.roles:
            if role.id == role_id:
                return role
        raise KeyError(role_id)

    def artifact(self, artifact_id: str) -> Artifact:
        for artifact in self.artifacts:
            if artifact.id == artifact_id:
                return artifact
        raise KeyError(artifact_id)

    def step_or_none(self, step_id: str | None) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)

    def branch_result(self, branch: Branch) -> EndResult | None:
        """The end result a branch leads to directly, or None when it leads to another step."""
        target = self.step_or_none(branch.next)
        return target.result if target is not None and target.is_end else None

    def correction_step(self) -> Step | None:
        """Where a correction of a finished case starts: the step the definition's first
        revision branch returns to (a correction is a revision after the end). None when the
        definition has no revision loop."""
        for step in self.steps:
            for branch in step.branches or ():
                if branch.revision:
                    return self.step_or_none(branch.next)
        return None

    def excluded_steps_for(self, performed_step: str) -> set[str]:
        """Steps a person who performed ``performed_step`` may not perform in the same case."""
        excluded: set[str] = set()
        for rule in self.separation_of_duties:
            if performed_step in rule.performed:
                excluded.update(rule.excluded)
        return excluded

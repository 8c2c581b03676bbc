"""Errors found in an SOP definition file.

Each error names the file, the path inside the definition (``steps[2].branches[1].next``), the
line, a stable kebab-case ``code`` (for tests, scripts and the documentation in
docs/sop-format.md) and a message for people (translated; English msgids).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=False)
class DefinitionError:
    file: str
    path: str
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:"
        if self.path:
            return f"{where} {self.path}: {self.message}"
        return f"{where} {self.message}"

    def sort_key(self) -> tuple[int, str, str]:
        return (self.line, self.path, self.code)


class DefinitionInvalid(ValueError):
    """A definition did not validate; ``errors`` holds every problem found, sorted by line."""

    def __init__(self, errors: list[DefinitionError]):
        self.errors = sorted(errors, key=DefinitionError.sort_key)
        super().__init__("\n".join(str(error) for error in self.errors))


# The stable error codes, documented one by one in docs/sop-format.md.
CODES = (
    "yaml-syntax",
    "duplicate-key",
    "missing-key",
    "wrong-type",
    "unknown-key",
    "invalid-choice",
    "invalid-date",
    "invalid-id",
    "empty-value",
    "unsupported-format",
    "duplicate-id",
    "unknown-role",
    "unknown-artifact",
    "unknown-step",
    "supervisor-cycle",
    "missing-time",
    "malformed-time",
    "time-unknown-not-reconstructed",
    "not-allowed-for-kind",
    "too-few-branches",
    "no-way-out",
    "no-end-state",
    "start-is-end",
    "unreachable-step",
    "loop-without-exit",
    "separation-conflict",
    "unknown-capability",
    "unknown-provider",
)

"""Bounds on what a person may type into the engine's forms."""

from __future__ import annotations

# The longest step note, return or refusal reason, or reassignment reason (characters); the
# pages show it beside the box.
NOTE_MAX_LENGTH = 5000

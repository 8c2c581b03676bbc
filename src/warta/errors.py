"""The one root of every refusal a person can meet in Warta.

A refusal changes nothing. ``message`` is for the person, in the active language; ``status`` is
the HTTP status a page or the API answers with; ``code`` is a stable name for scripts (the
editor's autosave reads it). Each app's errors derive from ``WartaError`` and set these, so a
view maps any refusal to a response the same way: ``error.status``.
"""

from __future__ import annotations


class WartaError(Exception):
    code = "refused"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


__all__ = ["WartaError"]

"""The audit actions: every event's ``action`` code is registered once, with a label and a message.

Each app declares the actions it records from its ``AppConfig.ready()`` (conventionally in its
own ``audit_actions.py``), in the manner of Wagtail's ``log_actions`` registry::

    from django.utils.translation import gettext_lazy as _

    from warta.audit.actions import register_action

    def register() -> None:
        register_action("sop.loaded", _("SOP loaded"), _loaded_message)

``label`` is a short name for the kind of change ("Langkah diputuskan"); ``formatter`` turns one
recorded event into a one-line human message from its ``before``/``after`` (like Django's
``LogEntry.get_change_message()``). ``record_event`` refuses a code that nobody registered, so
every event in the chain can be shown to a person.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warta.audit.models import Event

logger = logging.getLogger(__name__)

Formatter = Callable[["Event"], str]

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class UnregisteredAction(LookupError):
    """An event was recorded with an action code no app registered (a programming error)."""

    def __init__(self, code: str) -> None:
        super().__init__(
            f"audit action {code!r} is not registered: call "
            f"warta.audit.actions.register_action({code!r}, label, formatter) from the "
            "AppConfig.ready() of the app that records it"
        )
        self.code = code


@dataclass(frozen=True)
class AuditAction:
    code: str
    label: Any  # a lazy translation
    formatter: Formatter | None = None

    def message(self, event: Event) -> str:
        """The formatter's one-line message for ``event`` ("" without a formatter). A formatter
        that fails on an unexpected shape (an old event) gives "" rather than breaking a page."""
        if self.formatter is None:
            return ""
        try:
            return str(self.formatter(event))
        except Exception:  # an audit page must show every event, whatever its data
            logger.exception("audit message for event #%s (%s) failed", event.seq, self.code)
            return ""


_registry: dict[str, AuditAction] = {}


def register_action(code: str, label: Any, formatter: Formatter | None = None) -> AuditAction:
    """Declare ``code`` ("app.what_happened") with its label and optional message formatter.

    Registering the same code again replaces it (``ready()`` may run more than once in tests).
    """
    if not CODE_PATTERN.match(code):
        raise ValueError(f"audit action code {code!r} must look like 'app.what_happened'")
    action = AuditAction(code=code, label=label, formatter=formatter)
    _registry[code] = action
    return action


def is_registered(code: str) -> bool:
    return code in _registry


def get_action(code: str) -> AuditAction:
    """The registered action; raises :class:`UnregisteredAction` for an unknown code."""
    try:
        return _registry[code]
    except KeyError:
        raise UnregisteredAction(code) from None


def registered_actions() -> list[AuditAction]:
    return sorted(_registry.values(), key=lambda action: action.code)


def choices() -> list[tuple[str, str]]:
    """(code, label) pairs, for filters."""
    return [(action.code, str(action.label)) for action in registered_actions()]


def label_for(code: str) -> str:
    """The label of ``code``; the code itself for an event recorded before it was registered."""
    action = _registry.get(code)
    return str(action.label) if action is not None else code


def message_for(event: Event) -> str:
    """The one-line message of a recorded event ("" when there is none)."""
    action = _registry.get(event.action)
    return action.message(event) if action is not None else ""


def describe(event: Event) -> str:
    """Label and message together: "Langkah diputuskan — Langkah 3 …"."""
    label, message = label_for(event.action), message_for(event)
    return f"{label} — {message}" if message else label


def data(event: Event, key: str, default: Any = None) -> Any:
    """``key`` from the event's ``after``, else its ``before`` (for formatters)."""
    for side in (event.after, event.before):
        if isinstance(side, dict) and key in side:
            return side[key]
    return default


_shared: contextvars.ContextVar[dict | None] = contextvars.ContextVar("audit_lookups", default=None)


@contextlib.contextmanager
def shared_lookups() -> Iterator[None]:
    """Within this block, formatters' :func:`lookup` results are shared, so a page listing many
    events of the same case or person asks the database once for each."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def lookup(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()``, shared with other formatters inside :func:`shared_lookups` by ``key``."""
    cache = _shared.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def changed_keys(event: Event) -> list[str]:
    """The keys whose value differs between ``before`` and ``after`` (for formatters)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))


def person(user_id: Any) -> str:
    """A user's display name from a recorded id ("#7" when the account is gone)."""
    from django.contrib.auth import get_user_model

    if user_id is None:
        return ""
    user = lookup(("user", user_id), get_user_model().objects.filter(pk=user_id).first)
    if user is None:
        return f"#{user_id}"
    return user.get_full_name() or user.get_username()

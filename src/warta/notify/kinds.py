"""The kinds of notification ("New task", "Reminder", "Late" …): a registry, not a closed list.

An app that notifies people registers its kinds from its ``AppConfig.ready()``::

    from django.utils.translation import gettext_lazy as _
    from warta.notify.kinds import register_kind

    register_kind("publication_failed", _("Publication failed"), default_delivery="immediate")

Each kind has a stable ``code`` (stored in notifications and preferences — never rename one),
a label people see in front of every title (the list, the e-mail subject and body) and on the
preferences page, and the delivery used until a person chooses their own (``immediate``,
``digest`` or ``off``). The model fields ``Notification.kind`` and ``Preference.kind`` take
their choices from here, so a registered kind needs no migration; a stored row of a kind no
longer registered still shows (its code stands in for the label).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_CODE_LENGTH = 32  # the model fields' max_length
DELIVERIES = ("immediate", "digest", "off")  # the values of ``notify.models.Mode``


class UnknownKind(ValueError):
    """A notification of a kind no app registered."""


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Any  # a (lazy) translated string
    default_delivery: str = "immediate"

    def __str__(self) -> str:
        return str(self.label)


_kinds: dict[str, NotificationKind] = {}


def register_kind(
    code: str, label: Any, *, default_delivery: str = "immediate"
) -> NotificationKind:
    """Make ``code`` a kind of notification. Registering the same code again with the same
    label and delivery is harmless (``ready()`` may run twice in tests); with different ones it
    is a programming error."""
    if not code or len(code) > MAX_CODE_LENGTH or code != code.strip():
        raise ValueError(f"a notification kind code is 1–{MAX_CODE_LENGTH} characters: {code!r}")
    if default_delivery not in DELIVERIES:
        raise ValueError(f"default_delivery must be one of {DELIVERIES}: {default_delivery!r}")
    kind = NotificationKind(code=code, label=label, default_delivery=default_delivery)
    existing = _kinds.get(code)
    if existing is not None and existing != kind:
        raise ValueError(f"notification kind {code!r} is already registered differently")
    _kinds[code] = kind
    return kind


def unregister_kind(code: str) -> None:
    _kinds.pop(code, None)


def get_kind(code: str) -> NotificationKind:
    try:
        return _kinds[str(code)]
    except KeyError:
        raise UnknownKind(
            f"unknown notification kind {code!r}; registered: {', '.join(_kinds) or '-'}"
        ) from None


def registered_kinds() -> list[NotificationKind]:
    """Every registered kind, in the order of registration."""
    return list(_kinds.values())


def kind_choices() -> list[tuple[str, Any]]:
    """``(code, label)`` of every registered kind: the choices of the model fields."""
    return [(kind.code, kind.label) for kind in _kinds.values()]


def kind_label(code: str) -> str:
    """The label of the kind ``code`` in the active language; the code itself when no app
    registers it (any more)."""
    kind = _kinds.get(code)
    return str(kind.label) if kind is not None else code

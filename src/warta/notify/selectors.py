"""Reading notifications and preferences for pages, the bell and the services."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from warta.notify.kinds import get_kind, registered_kinds
from warta.notify.models import Mode, Notification, Preference


def unread_count(user) -> int:
    """How many notifications the user has not read yet (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user) -> QuerySet[Notification]:
    """The user's notifications, newest first (pages paginate it; an index on recipient,
    created_at, id serves the order)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def mode_for(user, kind: str) -> Mode:
    """The user's delivery mode for ``kind``; the kind's default when never chosen."""
    mode = Preference.objects.filter(user=user, kind=kind).values_list("mode", flat=True).first()
    return Mode(mode or get_kind(kind).default_delivery)


def modes_for(users: Sequence, kind: str) -> dict[int, Mode]:
    """``{user id: mode}`` for those of ``users`` who chose a mode for ``kind`` (one query)."""
    rows = Preference.objects.filter(user__in=[u.pk for u in users], kind=kind)
    return {user_id: Mode(mode) for user_id, mode in rows.values_list("user_id", "mode")}


def preferences_of(user) -> dict[str, Mode]:
    """``{kind: mode}`` for every registered kind, in registration order, defaults filled in."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    return {
        kind.code: Mode(chosen.get(kind.code, kind.default_delivery)) for kind in registered_kinds()
    }

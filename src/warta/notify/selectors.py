"""Reading notifications and preferences for pages, the bell and the services."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from warta.notify.models import Kind, Mode, Notification, Preference


def unread_count(user) -> int:
    """How many notifications the user has not read yet (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user, *, limit: int = 100) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]


def mode_for(user, kind: str) -> Mode:
    """The user's delivery mode for ``kind``; immediate when never chosen."""
    mode = Preference.objects.filter(user=user, kind=kind).values_list("mode", flat=True).first()
    return Mode(mode) if mode else Mode.IMMEDIATE


def modes_for(users: Sequence, kind: str) -> dict[int, Mode]:
    """``{user id: mode}`` for those of ``users`` who chose a mode for ``kind`` (one query)."""
    rows = Preference.objects.filter(user__in=[u.pk for u in users], kind=kind)
    return {user_id: Mode(mode) for user_id, mode in rows.values_list("user_id", "mode")}


def preferences_of(user) -> dict[str, Mode]:
    """``{kind: mode}`` for every kind, defaults filled in."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    return {kind.value: Mode(chosen.get(kind.value, Mode.IMMEDIATE)) for kind in Kind}

"""Hash-chained audit events.

Every state change writes exactly one ``Event`` in the same transaction. Each event stores the
hash of its predecessor, so editing, deleting or reordering any event breaks the chain and
``warta audit verify`` finds it. No code path updates or deletes an event: the model and its
queryset refuse it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # type: ignore[override]
        raise AppendOnlyError("audit events are append-only")

    def delete(self):  # type: ignore[override]
        raise AppendOnlyError("audit events are append-only")


class Event(models.Model):
    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    # Not indexed: no query selects events by time, and the trail's order is ``seq`` (appended
    # under the chain head's lock, so it follows time); the admin lists by ``seq``.
    at = models.DateTimeField(_("time"))
    # Not indexed: only deleting a user asks for a person's events (PROTECT), rare enough for a
    # scan; the trail is read by object and by action.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_name = models.CharField(_("actor name"), max_length=200, blank=True)
    acting_for = models.CharField(
        _("acting for"),
        max_length=200,
        blank=True,
        help_text=_("Set when the actor acted as Plh/Plt of someone else's role."),
    )
    action = models.CharField(_("action"), max_length=100)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=100)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    ip = models.CharField(_("from address"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    # Neither unique nor indexed: no query looks an event up by its hash, and uniqueness would
    # add nothing ``warta audit verify`` does not check already. Each hash is the SHA-256 of
    # the event's content including its ``seq`` (unique) and ``prev_hash``; verify recomputes
    # every hash and checks that each ``prev_hash`` is the previous event's hash, so a copied,
    # edited or inserted row shows there whatever its stored hash.
    hash = models.CharField(_("hash"), max_length=64)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            # The admin's filter by action (a plain index: ``db_index`` on a text column would
            # add a second, pattern-matching one on PostgreSQL that no query uses).
            models.Index(fields=["action"]),
            # An object's events: the admin's filter by object type, and the services that
            # look for an object's earlier events (a draft's recorded state, a mail's record).
            models.Index(fields=["object_type", "object_id", "seq"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")


class ChainHead(models.Model):
    """One row holding the newest event's seq and hash; locked to serialise appends."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"

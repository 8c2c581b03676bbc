"""Filling a long period by copying what a seed of items left in the database.

A *seed* — the first weeks of the period — is made through the real services
(``bench/generate.py``). This module then copies the seed's rows in bulk, each copy shifted
forward in time by a whole number of weeks (weekdays and working hours stay right), until
the period is full. It knows no model by name; everything comes from Django's model
metadata:

* **Which rows are copied.** A :class:`Watermark` taken before the seed remembers the
  largest primary key of every model with an integer key; the *seed rows* are the rows
  written after it, i.e. by the seed. Rows that existed before (users, SOP versions, channel
  accounts, settings, the working calendar) are *shared*: copies point to them unchanged.
  Models the caller names in ``skip`` are not copied (by-products that ``warta prune``
  deletes anyway, derived tables that are rebuilt).
* **Which rows belong to which item.** Starting from the seed rows of the ``root`` model (the
  news items), relations are followed both ways between seed rows — a row whose foreign key
  names a row of an item belongs to that item (photos, revisions, step runs, deviations,
  renditions, publications …), and a row an item's row names belongs to it too (its case, its
  photos' assets). Generic references — a pair of ``<name>_type`` (``app_label.model``) and
  ``<name>_id`` columns, such as an audit event's object or a case's subject — count as
  relations. The last copy takes only the items that start before ``stop_at``; seed rows of
  no item (notifications, digest schedules, audit events of other objects) are taken by
  their own earliest time.
* **How a row is copied.** A new primary key (following the largest one); every foreign key
  and generic reference to a seed row points to that row's copy; every ``DateField`` /
  ``DateTimeField`` moves by the copy's shift; a value that must be unique and is neither a
  remapped reference nor a date gets a suffix (``-c<copy>``). Files are not copied: the
  copies' media rows name the seed's files (fine for a benchmark). JSON values are copied as
  they are (ids inside them still name seed rows).
* **The audit chain.** The seed's events are copied in their order with new ``seq``, shifted
  ``at`` and remapped object ids; each copy's hash is recomputed with
  ``warta.audit.hashing.event_hash`` from the chain's head, and the head is moved to the last
  copy, so ``warta audit verify`` finds the chain intact.

Each copy is one transaction; its rows go in model by model (foreign keys are checked at
commit, so cycles such as an item's cover photo do not matter) in batches of ``BATCH`` rows.
The batches are not ``bulk_create`` calls: ``bulk_create`` prepares every value of every row
anew through the SQL compiler (two thirds of the time of a copy in a profile, about 30 items/s)
and stamps ``auto_now`` fields with today. Each seed row's values are prepared once instead,
with the fields' own ``get_db_prep_save`` (what ``bulk_create`` calls), only the values a copy
changes are prepared again, and one plain ``INSERT`` per model (quoted names, ``%s``
placeholders — the same on SQLite and PostgreSQL) runs with ``executemany``: about 130 items/s.
On PostgreSQL the sequences are advanced afterwards with ``connection.ops.sequence_reset_sql``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, models, transaction

BATCH = 2000
SUFFIX = "-c{copy}"
_TEXT_FIELDS = (models.CharField, models.TextField)


def _integer_pk(model: type[models.Model]) -> bool:
    pk = model._meta.pk
    return isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField)


def _event_model() -> type[models.Model]:
    from warta.audit.models import Event

    return Event


@dataclass(frozen=True)
class Watermark:
    """The largest primary key of each model with an auto-incremented key, at one moment."""

    last_pk: dict[type[models.Model], int]

    @classmethod
    def take(cls) -> Watermark:
        last = {}
        for model in apps.get_models():
            if model._meta.managed and not model._meta.proxy and _integer_pk(model):
                top = model._base_manager.aggregate(top=models.Max("pk"))["top"]
                last[model] = top or 0
        return cls(last)


def _generic_pairs(model: type[models.Model]) -> list[tuple[str, str]]:
    """(type attname, id attname) of each ``<name>_type`` / ``<name>_id`` pair of text
    columns: a reference to any model by its label and primary key."""
    names = {f.attname: f for f in model._meta.concrete_fields}
    pairs = []
    for attname, f in names.items():
        if attname.endswith("_type") and isinstance(f, models.CharField):
            partner = names.get(attname[: -len("_type")] + "_id")
            if isinstance(partner, models.CharField):
                pairs.append((attname, partner.attname))
    return pairs


@dataclass
class _Table:
    """The seed rows of one model and what is needed to copy them."""

    model: type[models.Model]
    fields: list[models.Field]  # the concrete fields, in the order of the INSERT's columns
    position: dict[str, int]  # attname -> index in ``fields``
    rows: dict[Any, dict[str, Any]]
    fks: list[tuple[str, type[models.Model]]]  # (attname, target model)
    pairs: list[tuple[str, str]]
    dates: list[str]
    suffixed: list[tuple[str, int | None]]  # (attname, max_length)
    prepared: dict[Any, list[Any]] = field(default_factory=dict)  # pk -> database values
    group: dict[Any, Any] = field(default_factory=dict)  # pk -> root pk
    start: dict[Any, dt.datetime | None] = field(default_factory=dict)  # pk -> earliest time


class Replicator:
    """The seed rows written since ``watermark``, ready to be copied ``shift`` weeks on."""

    def __init__(
        self,
        *,
        watermark: Watermark,
        root: type[models.Model],
        skip: Iterable[type[models.Model]] = (),
    ) -> None:
        self.root = root
        self.event_model = _event_model()
        skipped = set(skip)
        self.tables: dict[type[models.Model], _Table] = {}
        for model, last in watermark.last_pk.items():
            if model in skipped:
                continue
            if not model._base_manager.filter(pk__gt=last).exists():
                continue
            self.tables[model] = self._load(model, last)
        if root not in self.tables:
            raise ValueError(f"the seed wrote no {root._meta.label} rows")
        by_label = {model._meta.label_lower: model for model in self.tables}
        self.by_label = by_label
        for table in self.tables.values():
            self._plan_uniques(table)
        self._group()

    # --- loading ------------------------------------------------------------------------------

    def _load(self, model: type[models.Model], last: int) -> _Table:
        opts = model._meta
        attnames = [f.attname for f in opts.concrete_fields]
        values = model._base_manager.filter(pk__gt=last).order_by("pk").values_list(*attnames)
        pk = opts.pk.attname
        rows = {}
        for values_row in values.iterator(2000):
            row = dict(zip(attnames, values_row, strict=True))
            rows[row[pk]] = row
        fks = [
            (f.attname, f.related_model._meta.concrete_model)
            for f in opts.concrete_fields
            if f.is_relation and (f.many_to_one or f.one_to_one)
        ]
        dates = [
            f.attname
            for f in opts.concrete_fields
            if isinstance(f, models.DateField)  # DateTimeField is a DateField
        ]
        return _Table(
            model=model,
            fields=list(opts.concrete_fields),
            position={name: at for at, name in enumerate(attnames)},
            rows=rows,
            fks=fks,
            pairs=_generic_pairs(model),
            dates=dates,
            suffixed=[],
        )

    def _plan_uniques(self, table: _Table) -> None:
        """Which text columns get a suffix so the copies' unique values stay unique."""
        if table.model is self.event_model:
            return  # seq and hash are recomputed
        opts = table.model._meta
        remapped = {a for a, target in table.fks if target in self.tables}
        remapped |= {id_name for _type, id_name in table.pairs}
        remapped |= set(table.dates)
        remapped.add(opts.pk.attname)
        sets: list[list[str]] = [
            [f.attname] for f in opts.concrete_fields if f.unique and not f.primary_key
        ]
        sets += [[opts.get_field(n).attname for n in names] for names in opts.unique_together]
        sets += [
            [opts.get_field(n).attname for n in c.fields]
            for c in opts.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields
        ]
        chosen: dict[str, int | None] = {}
        for names in sets:
            if remapped & set(names) or chosen.keys() & set(names):
                continue
            by_attname = {f.attname: f for f in opts.concrete_fields}
            text = [by_attname[n] for n in names if isinstance(by_attname[n], _TEXT_FIELDS)]
            if not text:
                raise ImproperlyConfigured(
                    f"cannot copy {opts.label}: no way to keep {names} unique in the copies"
                )
            chosen[text[0].attname] = getattr(text[0], "max_length", None)
        table.suffixed = sorted(chosen.items())

    # --- grouping rows by item ----------------------------------------------------------------

    def _target(self, table: _Table, row: dict[str, Any]) -> Iterable[tuple[_Table, Any]]:
        """The seed rows that ``row`` refers to (foreign keys and generic references)."""
        for attname, target in table.fks:
            other = self.tables.get(target)
            value = row[attname]
            if other is not None and value in other.rows:
                yield other, value
        for type_name, id_name in table.pairs:
            other = self.tables.get(self.by_label.get(row[type_name]))  # type: ignore[arg-type]
            if other is not None:
                key = _pk_from_text(other.model, row[id_name])
                if key in other.rows:
                    yield other, key

    def _group(self) -> None:
        """Give every seed row the item (root pk) it belongs to, following relations both
        ways until nothing changes; note each row's earliest time."""
        root = self.tables[self.root]
        for pk in root.rows:
            root.group[pk] = pk
        changed = True
        while changed:
            changed = False
            for table in self.tables.values():
                for pk, row in table.rows.items():
                    for other, key in self._target(table, row):
                        mine, theirs = table.group.get(pk), other.group.get(key)
                        if mine is None and theirs is not None:
                            table.group[pk] = theirs
                            changed = True
                        elif theirs is None and mine is not None:
                            other.group[key] = mine
                            changed = True
        for table in self.tables.values():
            for pk, row in table.rows.items():
                times = [_as_datetime(row[name]) for name in table.dates if row[name] is not None]
                table.start[pk] = min(times) if times else None

    def items(self) -> int:
        return len(self.tables[self.root].rows)

    def rows(self) -> int:
        return sum(len(table.rows) for table in self.tables.values())

    # --- copying ------------------------------------------------------------------------------

    def copy(self, *, number: int, shift: dt.timedelta, stop_at: dt.datetime | None) -> int:
        """Write copy ``number`` of the seed, ``shift`` later, in one transaction; only what
        starts before ``stop_at``. Returns how many root rows (items) it made."""
        root = self.tables[self.root]
        items = {pk for pk in root.rows if _before(root.start[pk], shift, stop_at)}
        chosen = self._choose(items, shift, stop_at)
        if not chosen[self.root]:
            return 0
        mapping = {model: _new_keys(model, pks) for model, pks in chosen.items()}
        suffix = SUFFIX.format(copy=number)
        with transaction.atomic(), connection.cursor() as cursor:
            for model, pks in chosen.items():
                if model is self.event_model or not pks:
                    continue
                table = self.tables[model]
                rows = [self._copied(table, pk, mapping, shift, suffix) for pk in pks]
                _insert(cursor, table, rows)
            if self.event_model in chosen:
                self._copy_events(cursor, chosen[self.event_model], mapping, shift)
        return len(chosen[self.root])

    def _choose(
        self, items: set[Any], shift: dt.timedelta, stop_at: dt.datetime | None
    ) -> dict[type[models.Model], list[Any]]:
        """The rows of the chosen items, plus the rows of no item that start before
        ``stop_at``; minus rows that would name a seed row left out (until none does)."""
        chosen: dict[type[models.Model], set[Any]] = {}
        for model, table in self.tables.items():
            keep = set()
            for pk in table.rows:
                group = table.group.get(pk)
                if group is not None:
                    if group in items:
                        keep.add(pk)
                elif _before(table.start[pk], shift, stop_at):
                    keep.add(pk)
            chosen[model] = keep
        changed = True
        while changed:
            changed = False
            for model, table in self.tables.items():
                if model is self.event_model:
                    continue  # an event naming a row left out keeps the seed's id
                for pk in list(chosen[model]):
                    row = table.rows[pk]
                    for attname, target in table.fks:
                        value = row[attname]
                        other = self.tables.get(target)
                        if (
                            other is not None
                            and value in other.rows
                            and value not in chosen[target]
                        ):
                            chosen[model].discard(pk)
                            changed = True
                            break
        return {model: sorted(pks) for model, pks in chosen.items()}

    def _prepared(self, table: _Table, pk: Any) -> list[Any]:
        """The row's values as the database takes them (``Field.get_db_prep_save``, as
        ``bulk_create`` prepares them), computed once and reused by every copy."""
        values = table.prepared.get(pk)
        if values is None:
            row = table.rows[pk]
            values = [
                f.get_db_prep_save(row[f.attname], connection)
                for f in table.model._meta.concrete_fields
            ]
            table.prepared[pk] = values
        return values

    def _copied(
        self,
        table: _Table,
        pk: Any,
        mapping: dict[type[models.Model], dict[Any, Any]],
        shift: dt.timedelta,
        suffix: str,
    ) -> list[Any]:
        """The database values of the copy of row ``pk``: new key, references to the copies,
        times shifted, unique text suffixed. ``bulk_create`` would do the same work for every
        value of every row (and stamp ``auto_now`` fields with today); here only the values
        that change are prepared again."""
        row, values = table.rows[pk], list(self._prepared(table, pk))
        fields, position = table.fields, table.position
        pk_name = table.model._meta.pk.attname
        values[position[pk_name]] = mapping[table.model][pk]
        for attname, target in table.fks:
            keys = mapping.get(target)
            if keys is not None and row[attname] in keys:
                at = position[attname]
                values[at] = fields[at].get_db_prep_save(keys[row[attname]], connection)
        for type_name, id_name in table.pairs:
            target = self.by_label.get(row[type_name])
            keys = mapping.get(target) if target is not None else None
            if keys:
                key = _pk_from_text(target, row[id_name])
                if key in keys:
                    values[position[id_name]] = str(keys[key])
        for attname in table.dates:
            if row[attname] is not None:
                at = position[attname]
                values[at] = fields[at].get_db_prep_save(row[attname] + shift, connection)
        for attname, max_length in table.suffixed:
            value = row[attname]
            if value:  # an empty value is "none" (unique constraints exclude it by a condition)
                base = value if max_length is None else value[: max_length - len(suffix)]
                values[position[attname]] = base + suffix
        return values

    def _copy_events(
        self,
        cursor: Any,
        pks: list[Any],
        mapping: dict[type[models.Model], dict[Any, Any]],
        shift: dt.timedelta,
    ) -> None:
        """Append the copied events to the chain: new seq, shifted time, remapped object,
        hash recomputed from the head with the audit app's own ``event_hash``; the head moved
        to the last one."""
        from warta.audit.hashing import event_hash
        from warta.audit.models import ChainHead

        table = self.tables[self.event_model]
        position, fields = table.position, table.fields
        head = ChainHead.objects.select_for_update().get(pk=1)
        seq, prev = head.last_seq, head.last_hash
        rows = []
        for pk in sorted(pks, key=lambda key: table.rows[key]["seq"]):
            row = table.rows[pk]
            values = self._copied(table, pk, mapping, shift, "")
            seq += 1
            at = row["at"] + shift
            object_id = values[position["object_id"]]
            digest = event_hash(
                prev_hash=prev,
                seq=seq,
                at=at,
                actor_id=row["actor_id"],
                actor_name=row["actor_name"],
                acting_for=row["acting_for"],
                action=row["action"],
                object_type=row["object_type"],
                object_id=object_id,
                before=row["before"],
                after=row["after"],
                note=row["note"],
                ip=row["ip"],
            )
            values[position["seq"]] = fields[position["seq"]].get_db_prep_save(seq, connection)
            values[position["prev_hash"]], values[position["hash"]] = prev, digest
            prev = digest
            rows.append(values)
        _insert(cursor, table, rows)
        ChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)

    def reset_sequences(self) -> None:
        """PostgreSQL: move each copied table's sequence past the explicit keys written."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.tables))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _insert(cursor: Any, table: _Table, rows: list[list[Any]]) -> None:
    """Insert prepared rows in batches: one plain ``INSERT`` (the same on SQLite and
    PostgreSQL: quoted names, ``%s`` placeholders) run by ``executemany``."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in table.fields)
    marks = ", ".join(["%s"] * len(table.fields))
    sql = f"INSERT INTO {quote(table.model._meta.db_table)} ({columns}) VALUES ({marks})"
    for start in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[start : start + BATCH])


def _before(start: dt.datetime | None, shift: dt.timedelta, stop_at: dt.datetime | None) -> bool:
    """Whether a row (or an item) that starts at ``start`` falls before ``stop_at`` once
    shifted; a row with no time at all is in every copy."""
    return stop_at is None or start is None or start + shift < stop_at


def _new_keys(model: type[models.Model], pks: list[Any]) -> dict[Any, Any]:
    """New primary keys after the largest one, in the seed's order."""
    top = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
    return {old: top + number for number, old in enumerate(pks, start=1)}


def _pk_from_text(model: type[models.Model], text: Any) -> Any:
    try:
        return model._meta.pk.to_python(text)
    except Exception:  # a label's id that is no key of this model
        return None


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(value, dt.time(0)))


def fill(
    replicator: Replicator,
    *,
    weeks: int,
    stop_at: dt.datetime,
    first_start: dt.datetime,
    progress: Callable[[str], None] = print,
) -> int:
    """Copy the seed ``weeks``, ``2 × weeks`` … weeks on until a copy would start at or
    after ``stop_at``; returns the items made. Prints items/s and the ETA after each copy."""
    shifts = []
    number = 1
    while first_start + dt.timedelta(weeks=weeks * number) < stop_at:
        shifts.append(number)
        number += 1
    seed_items = replicator.items()
    expected = seed_items * len(shifts)
    progress(
        f"Replicating {seed_items:,} seed items ({replicator.rows():,} rows) {len(shifts)} "
        f"times, each {weeks} weeks later, until {stop_at:%Y-%m-%d}"
    )
    started = time.monotonic()
    made = 0
    for number in shifts:
        made += replicator.copy(
            number=number, shift=dt.timedelta(weeks=weeks * number), stop_at=stop_at
        )
        elapsed = time.monotonic() - started
        rate = made / elapsed if elapsed else 0.0
        eta = (expected - made) / rate if rate else float("inf")
        progress(
            f"  copy {number:>3}/{len(shifts)}  {made:>7,} items  {rate:7.1f} items/s  "
            f"ETA {max(0.0, eta) / 60:5.1f} min"
        )
    replicator.reset_sequences()
    return made

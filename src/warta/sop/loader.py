"""Read an SOP definition file (YAML) into a validated :class:`~warta.sop.definition.SopDefinition`.

Three passes, all of which collect every problem instead of stopping at the first:

1. YAML → plain Python data, keeping the line of every mapping key and sequence item
   (PyYAML's node tree, so errors can say ``file:line``);
2. the structural schema (``warta.sop.schema``): required keys, types, unknown keys, choices;
3. the semantic checks (``warta.sop.semantics``): ids, references, time standards, the step graph.

Only a definition without errors is built into dataclasses. Its ``content_hash`` is the sha256 of
a canonical JSON of the parsed content, so comments, quoting, key order and indentation do not
change it, while any change of content does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from warta.sop.definition import (
    Artifact,
    Branch,
    Identity,
    Official,
    Quality,
    Requirement,
    Role,
    SeparationRule,
    SopDefinition,
    Step,
)
from warta.sop.durations import parse_duration
from warta.sop.errors import DefinitionError, DefinitionInvalid
from warta.sop.schema import INVALID, Context, check_structure, describe
from warta.sop.semantics import check_semantics

__all__ = [
    "DefinitionError",
    "DefinitionInvalid",
    "content_hash",
    "load_definition_file",
    "load_definition_text",
    "read_definition_file",
    "validate_file",
    "validate_text",
]


# --- YAML with line numbers ---------------------------------------------------------------


_MERGE_TAG = "tag:yaml.org,2002:merge"
_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader; only its scalar constructors and composer are used."""


# A definition has a few hundred values; aliases can multiply them ("billion laughs").
MAX_VALUES = 50_000


class _TooLarge(Exception):
    pass


class _Walk:
    """State of one conversion: the nodes on the current path (recursive aliases) and a count."""

    def __init__(self) -> None:
        self.on_path: set[int] = set()
        self.values = 0


def _parse_yaml(text: str, ctx: Context) -> Any:
    """Parse ``text`` to plain data, recording lines in ``ctx.lines``; ``None`` on failure."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = exc.context or ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            context += _(" (started on line %(line)s)") % {"line": exc.context_mark.line + 1}
        problem = ": ".join(part for part in (context, exc.problem) if part)
        ctx.error(
            (),
            "yaml-syntax",
            _("This is not valid YAML: %(problem)s.") % {"problem": problem},
            line=mark.line + 1 if mark else 1,
        )
        return None
    except yaml.YAMLError as exc:
        ctx.error((), "yaml-syntax", _("This is not valid YAML: %(problem)s.") % {"problem": exc})
        return None
    except RecursionError:
        ctx.error((), "yaml-syntax", _("The YAML is nested too deeply."), line=1)
        return None
    finally:
        loader.dispose()
    if node is None:
        ctx.error((), "empty-value", _("The file is empty."), line=1)
        return None
    ctx.lines[()] = node.start_mark.line + 1
    try:
        return _to_python(loader, node, (), ctx, _Walk())
    except (_TooLarge, RecursionError):
        ctx.error(
            (),
            "yaml-syntax",
            _("The definition expands to more than %(count)s values (through aliases?).")
            % {"count": MAX_VALUES},
            line=1,
        )
        return None


def _to_python(loader: _Loader, node: yaml.Node, path: tuple, ctx: Context, walk: _Walk) -> Any:
    walk.values += 1
    if walk.values > MAX_VALUES:
        raise _TooLarge
    if id(node) in walk.on_path:
        ctx.error(
            path,
            "yaml-syntax",
            _("This alias refers to a value that contains it (a recursive alias)."),
            line=node.start_mark.line + 1,
        )
        return INVALID
    if isinstance(node, yaml.ScalarNode):
        return _scalar(loader, node, path, ctx)
    walk.on_path.add(id(node))
    try:
        return _collection(loader, node, path, ctx, walk)
    finally:
        walk.on_path.discard(id(node))


def _collection(loader: _Loader, node: yaml.Node, path: tuple, ctx: Context, walk: _Walk) -> Any:
    if node.tag not in _PLAIN_TAGS:
        ctx.error(
            path,
            "yaml-syntax",
            _("The YAML tag '%(tag)s' is not allowed in a definition.") % {"tag": node.tag},
            line=node.start_mark.line + 1,
        )
        return INVALID
    if isinstance(node, yaml.MappingNode):
        # YAML merge keys (``<<: *anchor``): PyYAML puts the merged pairs first; a key written
        # explicitly then overrides a merged one, which is not a duplicate.
        explicit = sum(1 for key_node, _value in node.value if key_node.tag != _MERGE_TAG)
        loader.flatten_mapping(node)
        first_explicit = len(node.value) - explicit
        result: dict[str, Any] = {}
        merged: set[str] = set()
        for position, (key_node, value_node) in enumerate(node.value):
            key = _scalar(loader, key_node, path, ctx)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                key = str(key)
            key_path = (*path, key)
            if position < first_explicit:
                merged.add(key)
            elif key in merged:
                merged.discard(key)
                del result[key]
            if key in result:
                ctx.error(
                    key_path,
                    "duplicate-key",
                    _("Key '%(key)s' appears twice in the same mapping (first on line %(line)s).")
                    % {"key": key, "line": ctx.lines.get(key_path, "?")},
                    line=line,
                )
                continue
            ctx.lines[key_path] = line
            result[key] = _to_python(loader, value_node, key_path, ctx, walk)
        return result
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            item_path = (*path, index)
            ctx.lines[item_path] = item_node.start_mark.line + 1
            items.append(_to_python(loader, item_node, item_path, ctx, walk))
        return items
    return _scalar(loader, node, path, ctx)


def _scalar(loader: _Loader, node: yaml.Node, path: tuple, ctx: Context) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        ctx.error(
            path,
            "wrong-type",
            _("A key must be plain text."),
            line=node.start_mark.line + 1,
        )
        return "?"
    try:
        return loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        if node.tag == "tag:yaml.org,2002:timestamp":
            # Looks like a date but is not one (2024-13-45): keep the text; a date field
            # reports it as an invalid date, a text field simply keeps it.
            return node.value
        ctx.error(
            path,
            "yaml-syntax",
            _("'%(value)s' cannot be read: %(problem)s.")
            % {"value": node.value, "problem": getattr(exc, "problem", None) or exc},
            line=node.start_mark.line + 1,
        )
        return INVALID


# --- content hash -------------------------------------------------------------------------


def _json_default(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def canonical_json(data: Any) -> str:
    """The parsed content as canonical JSON: sorted keys, no insignificant whitespace."""
    return json.dumps(
        data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default
    )


def content_hash(data: Any) -> str:
    """sha256 (hex) of :func:`canonical_json` of the parsed content."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


# --- public API ---------------------------------------------------------------------------


def _analyse(
    text: str, filename: str, *, installed: bool = True
) -> tuple[SopDefinition | None, list[DefinitionError]]:
    ctx = Context(file=filename, lines={})
    data = _parse_yaml(text, ctx)
    if data is not None and data is not INVALID:
        if not isinstance(data, dict):
            ctx.error(
                (),
                "wrong-type",
                _("A definition is a mapping of keys (format, code, identity, …), not %(found)s.")
                % {"found": describe(data)},
            )
        else:
            normalised = check_structure(data, ctx)
            check_semantics(normalised, ctx, installed=installed)
            if not ctx.errors:
                return _build(normalised, content_hash(data)), []
    return None, sorted(ctx.errors, key=DefinitionError.sort_key)


def validate_text(text: str, filename: str = "<string>") -> list[DefinitionError]:
    """Every problem in the definition ``text``, sorted by line; empty when it is valid."""
    return _analyse(text, filename)[1]


def read_definition_file(path: str | os.PathLike[str]) -> str:
    """The text of a definition file (UTF-8, a BOM is dropped). Raises ``DefinitionInvalid`` for
    bytes that are not UTF-8 and ``OSError`` when the file cannot be read."""
    raw = Path(path).read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DefinitionInvalid(
            [
                DefinitionError(
                    file=str(path),
                    path="",
                    line=raw[: exc.start].count(b"\n") + 1,
                    code="yaml-syntax",
                    message=_("The file is not UTF-8 text."),
                )
            ]
        ) from exc


def validate_file(path: str | os.PathLike[str]) -> list[DefinitionError]:
    """Every problem in the definition file at ``path``; empty when it is valid."""
    try:
        text = read_definition_file(path)
    except DefinitionInvalid as exc:
        return exc.errors
    return validate_text(text, str(path))


def load_definition_text(
    text: str, filename: str = "<string>", *, installed: bool = True
) -> SopDefinition:
    """Parse and validate ``text``; raise :class:`DefinitionInvalid` with every problem found.

    ``installed=False`` skips the checks against what the installed applications register
    (``uses:``/``provided_by:``): a version already loaded is read back as it was accepted, and
    the system check reports names that went missing since."""
    definition, errors = _analyse(text, filename, installed=installed)
    if errors or definition is None:
        raise DefinitionInvalid(errors)
    return definition


def load_definition_file(path: str | os.PathLike[str]) -> SopDefinition:
    """Like :func:`load_definition_text` for the file at ``path``."""
    return load_definition_text(read_definition_file(path), str(path))


# --- building the dataclasses (only for a valid definition) ------------------------------


def _requirements(quality: dict | None, policy: str) -> Quality:
    if quality is None:
        return Quality()
    return Quality(
        text=quality["text"],
        items=tuple(
            Requirement(artifact=item["artifact"], on_missing=item["on_missing"] or policy)
            for item in quality["items"]
        ),
    )


def _step(data: dict, policy: str) -> Step:
    time = data["time"]
    time_unknown = isinstance(time, str) and time.strip().lower() == "unknown"
    return Step(
        id=data["id"],
        name=data["name"],
        kind=data["kind"],
        number=data["number"],
        activity=data["activity"],
        actor=data["actor"],
        time=parse_duration(str(time)) if time is not None and not time_unknown else None,
        time_unknown=time_unknown,
        kelengkapan=_requirements(data["kelengkapan"], policy),
        output=_requirements(data["output"], policy),
        next=data["next"],
        question=data["question"] or "",
        branches=tuple(
            Branch(
                id=branch["id"],
                label=branch["label"],
                next=branch["next"],
                reason_required=branch["reason_required"],
                revision=branch["revision"],
            )
            for branch in data["branches"] or ()
        ),
        result=(data["result"] or "completed") if data["kind"] == "end" else None,
        reconstructed=data["reconstructed"],
        note=data["note"],
        uses=data["uses"],
    )


def _build(data: dict, digest: str) -> SopDefinition:
    identity = data["identity"]
    official = identity["approved_by"]
    policy = data["policy"]["on_missing"]
    return SopDefinition(
        code=data["code"],
        identity=Identity(
            institution=tuple(identity["institution"]),
            section=identity["section"],
            name=identity["name"],
            number=identity["number"],
            created=identity["created"],
            revised=identity["revised"],
            effective=identity["effective"],
            approved_by=Official(
                title=official.get("title", ""),
                name=official.get("name", ""),
                nip=official.get("nip", ""),
                note=official.get("note", ""),
            ),
        ),
        legal_basis=tuple(data["legal_basis"]),
        qualifications=tuple(data["qualifications"]),
        equipment=tuple(data["equipment"]),
        warnings=tuple(data["warnings"]),
        recording=tuple(data["recording"]),
        roles=tuple(
            Role(
                id=role["id"],
                name=role["name"],
                description=role["description"],
                supervisor=role["supervisor"],
            )
            for role in data["roles"]
        ),
        artifacts=tuple(
            Artifact(
                id=item["id"],
                name=item["name"],
                description=item["description"],
                provided_by=item["provided_by"],
            )
            for item in data["artifacts"]
        ),
        steps=tuple(_step(step, policy) for step in data["steps"]),
        start=data["start"],
        separation_of_duties=tuple(
            SeparationRule(
                name=rule["name"],
                performed=tuple(rule["performed"]),
                excluded=tuple(rule["excluded"]),
            )
            for rule in data["separation_of_duties"]
        ),
        content_hash=digest,
    )

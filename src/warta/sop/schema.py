"""The structural schema of an SOP definition: required keys, types, unknown keys, choices.

The schema is a small tree of specs. Checking a parsed YAML document against it yields a
*normalised* copy (every known key present, defaults filled, shorthands expanded) in which any
value that failed its check is replaced by :data:`INVALID`, so the semantic checks in
``warta.sop.semantics`` can skip what is already reported instead of tripping over it.

The format itself is documented for SOP owners in docs/sop-format.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from warta.sop.errors import DefinitionError

FORMAT = "warta-sop/1"
STEP_KINDS = ("manual", "automatic", "decision", "end")
ON_MISSING = ("block", "deviation")
END_RESULTS = ("completed", "refused", "cancelled")

ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,49}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
# What the software registers: ``app.name`` (a capability serving a step, an artifact provider).
PLUGIN_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}\.[a-z][a-z0-9_]{0,49}$")

Path = tuple[str | int, ...]


class _Invalid:
    """Marks a value that failed its check (already reported)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "INVALID"

    def __bool__(self) -> bool:
        return False


INVALID: Any = _Invalid()


def format_path(path: Path) -> str:
    """``("steps", 2, "branches", 1, "next")`` → ``steps[2].branches[1].next``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Context:
    """Where errors go, and the line of every mapping key and sequence item in the file."""

    file: str
    lines: dict[Path, int]
    errors: list[DefinitionError] = field(default_factory=list)

    def line_for(self, path: Path) -> int:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def error(self, path: Path, code: str, message: str, *, line: int | None = None) -> None:
        self.errors.append(
            DefinitionError(
                file=self.file,
                path=format_path(path),
                line=line if line is not None else self.line_for(path),
                code=code,
                message=message,
            )
        )


def describe(value: Any) -> str:
    """What a parsed YAML value is, in words, for "expected …, found …" messages."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("yes/no (%(value)s)") % {"value": "true" if value else "false"}
    if isinstance(value, int | float):
        return _("a number (%(value)s)") % {"value": value}
    if isinstance(value, str):
        return _("text")
    if isinstance(value, dt.datetime):
        return _("a date with a time")
    if isinstance(value, dt.date):
        return _("a date")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("a mapping (key: value)")
    return type(value).__name__


def _wrong_type(ctx: Context, path: Path, expected: str, value: Any) -> Any:
    ctx.error(
        path,
        "wrong-type",
        _("Expected %(expected)s, found %(found)s.")
        % {"expected": expected, "found": describe(value)},
    )
    return INVALID


class Spec:
    def expected(self) -> str:
        raise NotImplementedError

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        raise NotImplementedError


class Text(Spec):
    """A string. ``numbers=True`` also accepts an unquoted number (``number: 1``)."""

    def __init__(
        self,
        *,
        nonempty: bool = True,
        choices: tuple[str, ...] | None = None,
        pattern: re.Pattern[str] | None = None,
        pattern_hint: Callable[[], str] | None = None,
        numbers: bool = False,
    ):
        self.nonempty = nonempty
        self.choices = choices
        self.pattern = pattern
        self.pattern_hint = pattern_hint
        self.numbers = numbers

    def expected(self) -> str:
        if self.choices:
            return _("one of: %(choices)s") % {"choices": ", ".join(self.choices)}
        return _("text")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if self.numbers and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return _wrong_type(ctx, path, self.expected(), value)
        value = value.strip()
        if self.nonempty and not value:
            ctx.error(path, "empty-value", _("This must not be empty."))
            return INVALID
        if self.choices is not None and value not in self.choices:
            ctx.error(
                path,
                "invalid-choice",
                _("'%(value)s' is not allowed here; use one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(self.choices)},
            )
            return INVALID
        if self.pattern is not None and not self.pattern.match(value):
            hint = self.pattern_hint() if self.pattern_hint else ""
            ctx.error(
                path,
                "invalid-id",
                _("'%(value)s' is not a valid identifier. %(hint)s")
                % {"value": value, "hint": hint},
            )
            return INVALID
        return value


def _id_hint() -> str:
    return _(
        "Use lower-case letters, digits, '_' or '-', starting with a letter, "
        "at most 50 characters (e.g. staf_humas)."
    )


def _code_hint() -> str:
    return _(
        "Use letters, digits, '.', '-', '_' or '/', without spaces, at most 100 characters "
        "(e.g. SDM.6.OT.02.02-3002)."
    )


def Id() -> Text:  # reads like a type in the schema below
    return Text(pattern=ID_RE, pattern_hint=_id_hint)


def _plugin_hint() -> str:
    return _(
        "Use the name an application registers: its label, a dot and a name in lower-case "
        "letters, digits or '_' (e.g. newsroom.edit)."
    )


def PluginName() -> Text:
    return Text(pattern=PLUGIN_NAME_RE, pattern_hint=_plugin_hint)


class Bool(Spec):
    def expected(self) -> str:
        return _("true or false")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if not isinstance(value, bool):
            return _wrong_type(ctx, path, self.expected(), value)
        return value


class Date(Spec):
    """A calendar date, written ``2024-07-02``."""

    def expected(self) -> str:
        return _("a date written YYYY-MM-DD")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if isinstance(value, dt.datetime):
            ctx.error(path, "invalid-date", _("Write only the date, YYYY-MM-DD, without a time."))
            return INVALID
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                ctx.error(
                    path,
                    "invalid-date",
                    _("'%(value)s' is not a date; write it YYYY-MM-DD, e.g. 2024-07-02.")
                    % {"value": value},
                )
                return INVALID
        return _wrong_type(ctx, path, self.expected(), value)


class Scalar(Spec):
    """Any single value (text or number); its meaning is checked later (e.g. time standards)."""

    def expected(self) -> str:
        return _("a single value")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if isinstance(value, list | dict) or value is None:
            return _wrong_type(ctx, path, self.expected(), value)
        return value


class ListOf(Spec):
    def __init__(self, item: Spec, *, nonempty: bool = False):
        self.item = item
        self.nonempty = nonempty

    def expected(self) -> str:
        return _("a list")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if not isinstance(value, list):
            return _wrong_type(ctx, path, self.expected(), value)
        if self.nonempty and not value:
            ctx.error(path, "empty-value", _("This list must have at least one item."))
            return INVALID
        return [
            INVALID if item is INVALID else self.item.check(item, (*path, index), ctx)
            for index, item in enumerate(value)
        ]


@dataclass(frozen=True)
class Key:
    spec: Spec
    required: bool = False
    default: Any = None


class Obj(Spec):
    """A mapping with known keys. Unknown keys are reported: they are almost always typos."""

    def __init__(self, keys: dict[str, Key]):
        self.keys = keys

    def expected(self) -> str:
        return _("a mapping (key: value)")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if not isinstance(value, dict):
            return _wrong_type(ctx, path, self.expected(), value)
        out: dict[str, Any] = {}
        for key in value:
            if key not in self.keys:
                suggestion = difflib.get_close_matches(str(key), list(self.keys), n=1)
                hint = (
                    _("Did you mean '%(key)s'?") % {"key": suggestion[0]}
                    if suggestion
                    else _("Allowed here: %(keys)s.") % {"keys": ", ".join(self.keys)}
                )
                ctx.error(
                    (*path, key),
                    "unknown-key",
                    _("Unknown key '%(key)s'. %(hint)s") % {"key": key, "hint": hint},
                )
        for name, key in self.keys.items():
            if name not in value:
                if key.required:
                    ctx.error(
                        (*path, name),
                        "missing-key",
                        _("Required key '%(key)s' is missing.") % {"key": name},
                        line=ctx.line_for(path),
                    )
                    out[name] = INVALID
                else:
                    out[name] = key.default
            elif value[name] is None:
                # ``key:`` with nothing after it, or an explicit null.
                if key.required:
                    ctx.error(
                        (*path, name),
                        "empty-value",
                        _("'%(key)s' has no value.") % {"key": name},
                    )
                    out[name] = INVALID
                else:
                    out[name] = key.default
            elif value[name] is INVALID:  # unreadable YAML, already reported
                out[name] = INVALID
            else:
                out[name] = key.spec.check(value[name], (*path, name), ctx)
        return out


class Shorthand(Spec):
    """A mapping that may also be written as one plain value, meaning ``{key: value}``."""

    def __init__(self, key: str, inner: Obj):
        self.key = key
        self.inner = inner

    def expected(self) -> str:
        return _("text or a mapping (key: value)")

    def check(self, value: Any, path: Path, ctx: Context) -> Any:
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return self.inner.check({self.key: value}, path, ctx)
        if isinstance(value, dict):
            return self.inner.check(value, path, ctx)
        return _wrong_type(ctx, path, self.expected(), value)


def _text(required: bool = False, default: Any = "") -> Key:
    return Key(Text(nonempty=required), required=required, default=default)


def _texts() -> Key:
    return Key(ListOf(Text()), default=[])


OFFICIAL = Obj(
    {
        "title": _text(),
        "name": _text(),
        "nip": _text(),
        "note": _text(),
    }
)

IDENTITY = Obj(
    {
        "institution": Key(ListOf(Text(), nonempty=True), required=True),
        "section": _text(),
        "name": _text(required=True),
        "number": _text(required=True),
        "created": Key(Date(), required=True),
        "revised": Key(Date()),
        "effective": Key(Date()),
        "approved_by": Key(OFFICIAL, default={}),
    }
)

ROLE = Obj(
    {
        "id": Key(Id(), required=True),
        "name": _text(required=True),
        "description": _text(),
        "supervisor": Key(Id()),
    }
)

ARTIFACT = Obj(
    {
        "id": Key(Id(), required=True),
        "name": _text(required=True),
        "description": _text(),
        "provided_by": Key(PluginName()),
    }
)

REQUIREMENT = Shorthand(
    "artifact",
    Obj(
        {
            "artifact": Key(Id(), required=True),
            "on_missing": Key(Text(choices=ON_MISSING)),  # None: the definition's policy
        }
    ),
)

QUALITY = Shorthand(
    "text",
    Obj(
        {
            "text": _text(),
            "items": Key(ListOf(REQUIREMENT), default=[]),
        }
    ),
)

BRANCH = Obj(
    {
        "id": Key(Id(), required=True),
        "label": _text(required=True),
        "next": Key(Id(), required=True),
        "reason_required": Key(Bool(), default=False),
        "revision": Key(Bool(), default=False),
    }
)

STEP = Obj(
    {
        "id": Key(Id(), required=True),
        "number": Key(Text(nonempty=False, numbers=True), default=""),
        "name": _text(required=True),
        "kind": Key(Text(choices=STEP_KINDS), required=True),
        "activity": _text(),
        "actor": Key(Id()),
        "time": Key(Scalar()),
        "kelengkapan": Key(QUALITY),
        "output": Key(QUALITY),
        "next": Key(Id()),
        "question": _text(default=None),
        "branches": Key(ListOf(BRANCH)),
        "result": Key(Text(choices=END_RESULTS)),
        "reconstructed": Key(Bool(), default=False),
        "note": _text(),
        "uses": Key(PluginName()),
    }
)

SEPARATION_RULE = Obj(
    {
        "name": _text(required=True),
        "performed": Key(ListOf(Id(), nonempty=True), required=True),
        "excluded": Key(ListOf(Id(), nonempty=True), required=True),
    }
)

POLICY = Obj({"on_missing": Key(Text(choices=ON_MISSING), default="block")})

DEFINITION = Obj(
    {
        "format": _text(required=True),
        "code": Key(Text(pattern=CODE_RE, pattern_hint=_code_hint), required=True),
        "identity": Key(IDENTITY, required=True),
        "legal_basis": _texts(),
        "qualifications": _texts(),
        "equipment": _texts(),
        "warnings": _texts(),
        "recording": _texts(),
        "roles": Key(ListOf(ROLE, nonempty=True), required=True),
        "artifacts": Key(ListOf(ARTIFACT), default=[]),
        "policy": Key(POLICY, default={"on_missing": "block"}),
        "separation_of_duties": Key(ListOf(SEPARATION_RULE), default=[]),
        "start": Key(Id(), required=True),
        "steps": Key(ListOf(STEP, nonempty=True), required=True),
    }
)


def check_structure(data: Any, ctx: Context) -> Any:
    """Check ``data`` against the schema; return the normalised copy (see module docstring)."""
    return DEFINITION.check(data, (), ctx)

"""The semantic checks of an SOP definition: references, ids, time standards and the step graph.

They run on the normalised data that ``warta.sop.schema.check_structure`` returns and skip any
value marked :data:`~warta.sop.schema.INVALID` (its problem is already reported). Checks that
need a complete picture (unknown references, reachability, loops) only run when every item
they depend on has a valid id, so one typo produces one error, not a cascade.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from warta.sop.durations import DurationFormatError, parse_duration
from warta.sop.schema import FORMAT, INVALID, STEP_KINDS, Context, Path

# Keys an end state may not have: the case is over when it gets there.
END_FORBIDDEN = (
    "actor",
    "time",
    "next",
    "branches",
    "question",
    "kelengkapan",
    "output",
    "uses",
)

# Checks that applications add from their ``AppConfig.ready()`` (e.g. the engine: every
# ``uses:`` and ``provided_by:`` names something registered). Each is called as
# ``check(data, ctx)`` with the normalised definition after the checks of this module.
DefinitionCheck = Callable[[dict, Context], None]
_extra_checks: dict[str, DefinitionCheck] = {}


def register_definition_check(name: str, check: DefinitionCheck) -> None:
    """Add ``check`` to every validation (idempotent per ``name``)."""
    _extra_checks[name] = check


def _present(value: Any) -> bool:
    return value is not None and value is not INVALID


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _index_ids(
    items: Any, section: str, ctx: Context, duplicate_message: str
) -> tuple[dict[str, int], bool]:
    """Map each id to the index of its first item; report duplicates.

    Returns ``(index, complete)``; ``complete`` is False when some item or id is invalid, so
    "unknown …" errors about this section would be guesses.
    """
    index: dict[str, int] = {}
    if not isinstance(items, list):
        return index, False
    complete = True
    for position, item in enumerate(items):
        if not isinstance(item, dict) or not _is_text(item.get("id")):
            complete = False
            continue
        item_id = item["id"]
        if item_id in index:
            first_line = ctx.line_for((section, index[item_id], "id"))
            ctx.error(
                (section, position, "id"),
                "duplicate-id",
                duplicate_message % {"id": item_id, "line": first_line},
            )
        else:
            index[item_id] = position
    return index, complete


def check_semantics(data: Any, ctx: Context, *, installed: bool = True) -> None:
    """``installed=False`` leaves out the checks the applications added (see
    :func:`register_definition_check`)."""
    if not isinstance(data, dict):
        return
    _check_format(data, ctx)
    roles, roles_complete = _index_ids(
        data["roles"],
        "roles",
        ctx,
        _("Duplicate role id '%(id)s'; it is already used on line %(line)s."),
    )
    artifacts, artifacts_complete = _index_ids(
        data["artifacts"],
        "artifacts",
        ctx,
        _("Duplicate artifact id '%(id)s'; it is already used on line %(line)s."),
    )
    steps_index, steps_complete = _index_ids(
        data["steps"],
        "steps",
        ctx,
        _("Duplicate step id '%(id)s'; it is already used on line %(line)s."),
    )
    known = _Known(
        roles=roles if roles_complete else None,
        artifacts=artifacts if artifacts_complete else None,
        steps=steps_index if steps_complete else None,
    )
    _check_supervisors(data["roles"], known, ctx)
    steps = data["steps"] if isinstance(data["steps"], list) else []
    for position, step in enumerate(steps):
        if isinstance(step, dict):
            _check_step(position, step, known, ctx)
    _check_start(data, known, ctx)
    _check_separation(data["separation_of_duties"], known, ctx)
    kinds_valid = all(isinstance(s, dict) and s["kind"] in STEP_KINDS for s in steps)
    if steps_complete and kinds_valid and not any(s["kind"] == "end" for s in steps):
        ctx.error(
            ("steps",),
            "no-end-state",
            _("There is no end state: add a step with 'kind: end' where a case finishes."),
        )
    if installed:
        for check in _extra_checks.values():
            check(data, ctx)
    unique = len(steps_index) == len(steps)
    if steps_complete and kinds_valid and unique and not known.broken_flow:
        _check_graph(data, steps, steps_index, ctx)


class _Known:
    """The ids each reference may point to; ``None`` when that section has invalid items."""

    def __init__(
        self,
        *,
        roles: dict[str, int] | None,
        artifacts: dict[str, int] | None,
        steps: dict[str, int] | None,
    ):
        self.roles = roles
        self.artifacts = artifacts
        self.steps = steps
        # Problems that make the flow between steps unknowable (a ``next`` to a missing step,
        # a step with no way out). While there are any, the graph checks (reachability, loops)
        # do not run: they would only repeat the same problem in other words.
        self.broken_flow = 0

    def role(self, value: Any, path: Path, ctx: Context) -> None:
        if self.roles is not None and _is_text(value) and value not in self.roles:
            ctx.error(
                path,
                "unknown-role",
                _("Unknown role '%(id)s'. Roles defined: %(known)s.")
                % {"id": value, "known": ", ".join(self.roles) or "-"},
            )

    def artifact(self, value: Any, path: Path, ctx: Context) -> None:
        if self.artifacts is not None and _is_text(value) and value not in self.artifacts:
            ctx.error(
                path,
                "unknown-artifact",
                _("Unknown artifact '%(id)s'. Artifacts defined: %(known)s.")
                % {"id": value, "known": ", ".join(self.artifacts) or "-"},
            )

    def step(self, value: Any, path: Path, ctx: Context, *, flow: bool = True) -> None:
        if self.steps is not None and _is_text(value) and value not in self.steps:
            if flow:
                self.broken_flow += 1
            ctx.error(
                path,
                "unknown-step",
                _("Unknown step '%(id)s'. Steps defined: %(known)s.")
                % {"id": value, "known": ", ".join(self.steps) or "-"},
            )


def _check_format(data: dict, ctx: Context) -> None:
    value = data["format"]
    if _is_text(value) and value != FORMAT:
        ctx.error(
            ("format",),
            "unsupported-format",
            _("Unsupported format '%(value)s'; this version of Warta reads '%(format)s'.")
            % {"value": value, "format": FORMAT},
        )


def _check_supervisors(roles: Any, known: _Known, ctx: Context) -> None:
    if not isinstance(roles, list):
        return
    supervisor_of: dict[str, str] = {}
    position_of: dict[str, int] = {}
    for position, role in enumerate(roles):
        if not isinstance(role, dict):
            continue
        known.role(role["supervisor"], ("roles", position, "supervisor"), ctx)
        if _is_text(role["id"]) and _is_text(role["supervisor"]):
            supervisor_of.setdefault(role["id"], role["supervisor"])
            position_of.setdefault(role["id"], position)
    reported: set[str] = set()
    for role_id in supervisor_of:
        chain = [role_id]
        current = supervisor_of.get(role_id)
        while current is not None and current not in chain:
            chain.append(current)
            current = supervisor_of.get(current)
        if current != role_id or role_id in reported:
            continue
        reported.update(chain)
        ctx.error(
            ("roles", position_of[role_id], "supervisor"),
            "supervisor-cycle",
            _("Supervisors go round in a circle: %(chain)s.")
            % {"chain": " → ".join([*chain, role_id])},
        )


def _check_step(position: int, step: dict, known: _Known, ctx: Context) -> None:
    path: Path = ("steps", position)
    kind = step["kind"]

    known.role(step["actor"], (*path, "actor"), ctx)
    known.step(step["next"], (*path, "next"), ctx)
    for column in ("kelengkapan", "output"):
        quality = step[column]
        if isinstance(quality, dict) and isinstance(quality["items"], list):
            for number, item in enumerate(quality["items"]):
                if isinstance(item, dict):
                    known.artifact(
                        item["artifact"], (*path, column, "items", number, "artifact"), ctx
                    )
    branches = step["branches"] if isinstance(step["branches"], list) else []
    branch_ids: dict[str, int] = {}
    for number, branch in enumerate(branches):
        if not isinstance(branch, dict):
            continue
        known.step(branch["next"], (*path, "branches", number, "next"), ctx)
        if _is_text(branch["id"]):
            if branch["id"] in branch_ids:
                first_line = ctx.line_for((*path, "branches", branch_ids[branch["id"]], "id"))
                ctx.error(
                    (*path, "branches", number, "id"),
                    "duplicate-id",
                    _(
                        "Duplicate branch id '%(id)s' in this step; it is already used on line "
                        "%(line)s."
                    )
                    % {"id": branch["id"], "line": first_line},
                )
            else:
                branch_ids[branch["id"]] = number

    if kind not in STEP_KINDS:
        return
    if kind == "end":
        for key in END_FORBIDDEN:
            if step[key] is not None:
                ctx.error(
                    (*path, key),
                    "not-allowed-for-kind",
                    _("An end state has no '%(key)s': the case is over when it gets here.")
                    % {"key": key},
                )
        return

    if step["result"] is not None:
        ctx.error(
            (*path, "result"),
            "not-allowed-for-kind",
            _("Only an end state has a 'result'."),
        )
    if step["actor"] is None:
        ctx.error(
            (*path, "actor"),
            "missing-key",
            _("A %(kind)s step needs an 'actor': the id of the role that performs it.")
            % {"kind": kind},
            line=ctx.line_for(path),
        )
    _check_time(path, step, ctx)

    if kind == "decision":
        if step["next"] is not None:
            ctx.error(
                (*path, "next"),
                "not-allowed-for-kind",
                _("A decision leaves by its branches, not by 'next'; give each branch its 'next'."),
            )
        if step["branches"] is not INVALID and len(branches) < 2:
            if not branches:
                known.broken_flow += 1
            ctx.error(
                (*path, "branches"),
                "too-few-branches",
                _(
                    "A decision needs at least two branches (e.g. approve and return); found "
                    "%(count)s."
                )
                % {"count": len(branches)},
            )
    else:
        for key in ("branches", "question"):
            if step[key] is not None:
                ctx.error(
                    (*path, key),
                    "not-allowed-for-kind",
                    _("Only a decision has '%(key)s'; this step is %(kind)s.")
                    % {"key": key, "kind": kind},
                )
        if step["next"] is None:
            known.broken_flow += 1
            ctx.error(
                (*path, "next"),
                "no-way-out",
                _(
                    "This step has no way out: give it 'next' (the step that follows), or make "
                    "it a decision or an end state."
                ),
                line=ctx.line_for(path),
            )


def _check_time(path: Path, step: dict, ctx: Context) -> None:
    value = step["time"]
    if value is INVALID:
        return
    if value is None:
        ctx.error(
            (*path, "time"),
            "missing-time",
            _(
                "This step has no time standard (waktu). Write it like 30m, 2h, 1d or 1h30m; "
                "if the SOP does not state it, write 'time: unknown' with 'reconstructed: true'."
            ),
            line=ctx.line_for(path),
        )
        return
    if isinstance(value, str) and value.strip().lower() == "unknown":
        if step["reconstructed"] is not True:
            ctx.error(
                (*path, "time"),
                "time-unknown-not-reconstructed",
                _(
                    "'time: unknown' is only allowed on a step marked 'reconstructed: true' "
                    "(one the source SOP lost); every other step needs its time standard."
                ),
            )
        return
    try:
        parse_duration(str(value))
    except DurationFormatError:
        ctx.error(
            (*path, "time"),
            "malformed-time",
            _(
                "'%(value)s' is not a time standard; write it like 30m, 2h, 1d or 1h30m "
                "(1d is one working day of 7.5 hours)."
            )
            % {"value": value},
        )


def _check_start(data: dict, known: _Known, ctx: Context) -> None:
    known.step(data["start"], ("start",), ctx)


def _check_separation(rules: Any, known: _Known, ctx: Context) -> None:
    if not isinstance(rules, list):
        return
    for position, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        path: Path = ("separation_of_duties", position)
        performed = rule["performed"] if isinstance(rule["performed"], list) else []
        excluded = rule["excluded"] if isinstance(rule["excluded"], list) else []
        for number, step_id in enumerate(performed):
            known.step(step_id, (*path, "performed", number), ctx, flow=False)
        for number, step_id in enumerate(excluded):
            known.step(step_id, (*path, "excluded", number), ctx, flow=False)
            if _is_text(step_id) and step_id in performed:
                ctx.error(
                    (*path, "excluded", number),
                    "separation-conflict",
                    _(
                        "Step '%(id)s' is both performed and excluded in this rule: whoever did "
                        "it once could never do it again."
                    )
                    % {"id": step_id},
                )


def _edges(step: dict, position: int) -> list[tuple[str, Path]]:
    """The steps ``step`` leads to, each with the path of the key that says so."""
    if step["kind"] == "decision":
        branches = step["branches"] if isinstance(step["branches"], list) else []
        return [
            (branch["next"], ("steps", position, "branches", number, "next"))
            for number, branch in enumerate(branches)
            if isinstance(branch, dict) and _is_text(branch["next"])
        ]
    if _is_text(step["next"]):
        return [(step["next"], ("steps", position, "next"))]
    return []


def _check_graph(data: dict, steps: list[dict], index: dict[str, int], ctx: Context) -> None:
    successors = {
        step["id"]: [(target, path) for target, path in _edges(step, pos) if target in index]
        for pos, step in enumerate(steps)
    }
    ends = {step["id"] for step in steps if step["kind"] == "end"}
    start = data["start"]
    if not _is_text(start) or start not in index:
        return
    if start in ends:
        ctx.error(
            ("start",),
            "start-is-end",
            _("The start step '%(id)s' is an end state: a case would finish before it begins.")
            % {"id": start},
        )
        return

    reachable = _reach(start, successors)
    for position, step in enumerate(steps):
        if step["id"] not in reachable:
            ctx.error(
                ("steps", position),
                "unreachable-step",
                _(
                    "Step '%(id)s' can never be reached from the start step '%(start)s': no "
                    "'next' or branch leads to it."
                )
                % {"id": step["id"], "start": start},
                line=ctx.line_for(("steps", position, "id")),
            )

    predecessors: dict[str, list[str]] = {step_id: [] for step_id in successors}
    for source, targets in successors.items():
        for target, _path in targets:
            predecessors[target].append(source)
    can_finish = set()
    queue = deque(ends)
    while queue:
        node = queue.popleft()
        if node in can_finish:
            continue
        can_finish.add(node)
        queue.extend(predecessors[node])
    trapped = {node for node in reachable if node not in can_finish}
    if not trapped or not ends:
        return

    # Steps that cannot finish only lead to steps that cannot finish, so every cycle among
    # them is a loop without exit. Report each such loop once, on the edge that closes it
    # (the first back edge a depth-first walk from the start meets).
    reach_within = {node: _reach(node, successors) for node in trapped}
    reported: set[str] = set()
    for source, target, edge_path, cycle in _back_edges(start, successors):
        if source not in trapped or source in reported:
            continue
        component = {node for node in trapped if source in reach_within[node]} & reach_within[
            source
        ]
        if target not in component:
            continue
        reported.update(component)
        ctx.error(
            edge_path,
            "loop-without-exit",
            _(
                "This closes a loop that never reaches an end state (%(cycle)s): no decision "
                "leads out of it. Add a decision with a branch that leaves the loop."
            )
            % {"cycle": " → ".join(cycle)},
        )


def _reach(start: str, successors: dict[str, list[tuple[str, Path]]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for target, _path in successors[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _back_edges(
    start: str, successors: dict[str, list[tuple[str, Path]]]
) -> list[tuple[str, str, Path, list[str]]]:
    """Depth-first from ``start``, in file order: every edge back to a step on the current path,
    with the loop it closes (``[target, …, source, target]``)."""
    found: list[tuple[str, str, Path, list[str]]] = []
    visited = {start}
    path = [start]
    on_path = {start}
    stack = [(start, iter(successors[start]))]
    while stack:
        node, targets = stack[-1]
        for target, edge_path in targets:
            if target in on_path:
                found.append((node, target, edge_path, [*path[path.index(target) :], target]))
            elif target not in visited:
                visited.add(target)
                path.append(target)
                on_path.add(target)
                stack.append((target, iter(successors[target])))
                break
        else:
            stack.pop()
            path.pop()
            on_path.discard(node)
    return found

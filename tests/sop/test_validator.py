"""Each invalid definition in fixtures/ produces exactly one precise error: code, path, line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warta.sop.errors import CODES, DefinitionError, DefinitionInvalid
from warta.sop.loader import load_definition_text, validate_file, validate_text

FIXTURES = Path(__file__).parent / "fixtures"
DOCS = Path(__file__).parents[2] / "docs" / "sop-format.md"

# fixture file → (code, path, line) of its one error. Lines count the fixture's first line,
# a "# Invalid: …" comment.
EXPECTED = {
    "yaml-syntax.yaml": ("yaml-syntax", "", 12),
    "empty.yaml": ("empty-value", "", 1),
    "not-a-mapping.yaml": ("wrong-type", "", 2),
    "duplicate-key.yaml": ("duplicate-key", "steps[0].name", 18),
    "missing-key.yaml": ("missing-key", "identity.name", 4),
    "missing-actor.yaml": ("missing-key", "steps[0].actor", 16),
    "wrong-type.yaml": ("wrong-type", "steps[1].branches[1].reason_required", 32),
    "unknown-key.yaml": ("unknown-key", "artifacts[0].descripton", 13),
    "invalid-choice.yaml": ("invalid-choice", "steps[0].kind", 20),
    "invalid-date.yaml": ("invalid-date", "identity.created", 8),
    "invalid-id.yaml": ("invalid-id", "artifacts[0].id", 13),
    "empty-value.yaml": ("empty-value", "identity.name", 6),
    "unsupported-format.yaml": ("unsupported-format", "format", 2),
    "duplicate-id-artifact.yaml": ("duplicate-id", "artifacts[1].id", 12),
    "duplicate-id-step.yaml": ("duplicate-id", "steps[3].id", 34),
    "duplicate-id-branch.yaml": ("duplicate-id", "steps[1].branches[1].id", 32),
    "unknown-role-actor.yaml": ("unknown-role", "steps[0].actor", 19),
    "unknown-role-supervisor.yaml": ("unknown-role", "roles[0].supervisor", 10),
    "supervisor-cycle.yaml": ("supervisor-cycle", "roles[0].supervisor", 10),
    "unknown-artifact.yaml": ("unknown-artifact", "steps[0].kelengkapan.items[0].artifact", 22),
    "unknown-step-start.yaml": ("unknown-step", "start", 14),
    "unknown-step-next.yaml": ("unknown-step", "steps[0].next", 23),
    "unknown-step-branch.yaml": ("unknown-step", "steps[1].branches[0].next", 31),
    "unknown-step-separation.yaml": ("unknown-step", "separation_of_duties[0].excluded[0]", 35),
    "separation-conflict.yaml": ("separation-conflict", "separation_of_duties[0].excluded[0]", 35),
    "unreachable-step.yaml": ("unreachable-step", "steps[3]", 34),
    "no-way-out.yaml": ("no-way-out", "steps[0].next", 16),
    "missing-time.yaml": ("missing-time", "steps[0].time", 16),
    "malformed-time.yaml": ("malformed-time", "steps[0].time", 21),
    "time-unknown-not-reconstructed.yaml": ("time-unknown-not-reconstructed", "steps[0].time", 21),
    "end-with-actor.yaml": ("not-allowed-for-kind", "steps[2].actor", 33),
    "decision-with-next.yaml": ("not-allowed-for-kind", "steps[1].next", 25),
    "too-few-branches.yaml": ("too-few-branches", "steps[1].branches", 30),
    "no-end-state.yaml": ("no-end-state", "steps", 15),
    "start-is-end.yaml": ("start-is-end", "start", 14),
    "loop-without-exit.yaml": ("loop-without-exit", "steps[3].next", 34),
    "loop-decision-inside.yaml": ("loop-without-exit", "steps[1].branches[0].next", 31),
    "unknown-capability.yaml": ("unknown-capability", "steps[0].uses", 22),
    "unknown-provider.yaml": ("unknown-provider", "artifacts[0].provided_by", 13),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_gives_exactly_its_error(name):
    path = FIXTURES / name
    errors = validate_file(path)
    assert [(e.code, e.path, e.line) for e in errors] == [EXPECTED[name]], [str(e) for e in errors]
    (error,) = errors
    assert error.file == str(path)
    assert error.message
    expected_str = f"{path}:{error.line}: " + (f"{error.path}: " if error.path else "")
    assert str(error).startswith(expected_str)


def test_every_fixture_is_checked_and_the_minimal_one_is_valid():
    files = {p.name for p in FIXTURES.glob("*.yaml")}
    assert files == set(EXPECTED) | {"valid-minimal.yaml"}
    assert validate_file(FIXTURES / "valid-minimal.yaml") == []


def test_every_error_code_has_a_fixture():
    assert {code for code, _path, _line in EXPECTED.values()} == set(CODES)


def test_every_error_code_is_documented():
    documented = set(re.findall(r"`([a-z]+(?:-[a-z]+)+)`", DOCS.read_text(encoding="utf-8")))
    assert set(CODES) <= documented, set(CODES) - documented


def test_loop_message_names_the_loop():
    (error,) = validate_file(FIXTURES / "loop-without-exit.yaml")
    assert "tulis → ulas → tulis" in error.message


def test_all_errors_are_collected_and_sorted_by_line():
    text = (FIXTURES / "valid-minimal.yaml").read_text()
    text = text.replace("format: warta-sop/1", "format: warta-sop/9")
    text = text.replace("    actor: penulis\n", "    actor: penulls\n")
    text = text.replace("time: 10m", "time: 10 menit")
    text = text.replace("{id: setuju, label: Setuju, next: selesai}", "{id: setuju, next: selesai}")
    with pytest.raises(DefinitionInvalid) as caught:
        load_definition_text(text, "many.yaml")
    errors = caught.value.errors
    assert [(e.code, e.path, e.line) for e in errors] == [
        ("unsupported-format", "format", 1),
        ("unknown-role", "steps[0].actor", 18),
        ("malformed-time", "steps[1].time", 28),
        ("missing-key", "steps[1].branches[0].label", 30),
    ]
    assert str(caught.value).splitlines()[0].startswith("many.yaml:1: format: ")


def test_a_typo_in_next_does_not_cascade_into_reachability_errors():
    text = (FIXTURES / "valid-minimal.yaml").read_text().replace("next: periksa", "next: priksa")
    assert [e.code for e in validate_text(text)] == ["unknown-step"]


def test_decision_branch_typo_in_step_id_reports_the_list_of_known_steps():
    text = (FIXTURES / "valid-minimal.yaml").read_text().replace("next: selesai", "next: done")
    (error,) = validate_text(text)
    assert "tulis, periksa, selesai" in error.message


def test_time_written_as_bare_number_is_malformed():
    text = (FIXTURES / "valid-minimal.yaml").read_text().replace("time: 30m", "time: 30")
    assert [(e.code, e.path) for e in validate_text(text)] == [("malformed-time", "steps[0].time")]


def test_time_unknown_is_accepted_on_a_reconstructed_step():
    text = (FIXTURES / "valid-minimal.yaml").read_text()
    text = text.replace("    time: 30m\n", "    time: unknown\n    reconstructed: true\n")
    assert validate_text(text) == []


def test_automatic_steps_in_a_loop_without_a_decision_are_reported():
    text = (FIXTURES / "valid-minimal.yaml").read_text()
    text = text.replace("start: tulis", "start: periksa").replace("next: periksa", "next: tulis")
    text = text.replace("kind: manual", "kind: automatic")
    errors = validate_text(text)
    assert [(e.code, e.path) for e in errors] == [("loop-without-exit", "steps[0].next")]
    assert "tulis → tulis" in errors[0].message


def test_error_str_without_path():
    error = DefinitionError(file="a.yaml", path="", line=3, code="yaml-syntax", message="bad")
    assert str(error) == "a.yaml:3: bad"
    error = DefinitionError(file="a.yaml", path="steps[2].next", line=9, code="x", message="m")
    assert str(error) == "a.yaml:9: steps[2].next: m"


def test_the_documented_example_is_valid():
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("## A small complete example", 1)[1].split("```yaml\n", 1)[1]
    example = example.split("```", 1)[0]
    definition = load_definition_text(example, "docs/sop-format.md")
    assert definition.code == "CONTOH.01"
    assert definition.step("tulis").kelengkapan.items[1].on_missing == "deviation"


TOKENS = [
    "",
    "null",
    "[]",
    "{}",
    "x",
    "1",
    "true",
    "2024-13-45",
    "unknown",
    "tulis",
    "selesai",
    "penulis",
    "decision",
    "end",
    "[tulis, x]",
    "{id: a}",
    "'",
    "- a",
    "&a b",
    "*a",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_validator_never_crashes_on_mutated_definitions(data):
    """Whatever an SOP owner types, the answer is a list of errors or a definition."""
    lines = (FIXTURES / "valid-minimal.yaml").read_text().splitlines()
    for _round in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["delete", "duplicate", "value", "key"]))
        line = lines[index]
        if action == "delete":
            del lines[index]
        elif action == "duplicate":
            lines.insert(index, line)
        elif action == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[index] = f"{key}: {data.draw(st.sampled_from(TOKENS))}"
        else:
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = f"{indent}{data.draw(st.sampled_from(TOKENS))}: {line.strip()}"
        if not lines:
            break
    text = "\n".join(lines) + "\n"
    errors = validate_text(text, "fuzz.yaml")
    assert all(isinstance(e, DefinitionError) and e.line >= 1 and e.code in CODES for e in errors)
    if not errors:
        load_definition_text(text)

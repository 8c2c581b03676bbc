"""Reading definitions: line numbers, the dataclasses, shorthands, and the content hash."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from warta.sop.errors import DefinitionInvalid
from warta.sop.loader import (
    content_hash,
    load_definition_file,
    load_definition_text,
    validate_file,
    validate_text,
)

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = (FIXTURES / "valid-minimal.yaml").read_text(encoding="utf-8")


def test_minimal_definition_builds_the_dataclasses():
    definition = load_definition_text(MINIMAL, "mini.yaml")
    assert definition.code == "TEST.MINI-01"
    assert definition.identity.created == dt.date(2025, 1, 6)
    assert definition.identity.revised is None
    assert definition.identity.institution == ("Instansi Uji",)
    assert definition.start == "tulis"
    assert [s.id for s in definition.steps] == ["tulis", "periksa", "selesai"]
    tulis = definition.step("tulis")
    assert tulis.time == dt.timedelta(minutes=30)
    assert tulis.next == "periksa"
    # `items: [naskah]` is shorthand for `{artifact: naskah}`; the policy default is block.
    assert [(i.artifact, i.on_missing) for i in tulis.kelengkapan.items] == [("naskah", "block")]
    periksa = definition.step("periksa")
    assert periksa.successors() == ("selesai", "tulis")
    back = periksa.branch("kembalikan")
    assert back.reason_required and back.revision
    end = definition.step("selesai")
    assert end.is_end and end.result == "completed" and end.actor is None
    assert definition.role("penulis").supervisor == "pemeriksa"
    assert definition.legal_basis == ()


def test_version_is_revision_date_plus_hash():
    definition = load_definition_text(MINIMAL)
    assert definition.version == f"2025-01-06+{definition.content_hash[:12]}"
    revised = load_definition_text(
        MINIMAL.replace("created: 2025-01-06", "created: 2025-01-06\n  revised: 2025-02-01")
    )
    assert revised.version.startswith("2025-02-01+")


def test_policy_and_item_override():
    text = MINIMAL.replace("artifacts:\n", "policy: {on_missing: deviation}\nartifacts:\n")
    text = text.replace("items: [naskah]", "items: [naskah, {artifact: naskah, on_missing: block}]")
    step = load_definition_text(text).step("tulis")
    assert [i.on_missing for i in step.kelengkapan.items] == ["deviation", "block"]


def test_quality_as_plain_text():
    text = MINIMAL.replace("kelengkapan: {items: [naskah]}", "kelengkapan: Draft naskah")
    step = load_definition_text(text).step("tulis")
    assert step.kelengkapan.text == "Draft naskah"
    assert step.kelengkapan.items == ()


def test_time_unknown_on_reconstructed_step():
    text = MINIMAL.replace("    time: 30m\n", "    time: unknown\n    reconstructed: true\n")
    step = load_definition_text(text).step("tulis")
    assert step.time is None and step.time_unknown and step.reconstructed


def test_days_and_combined_durations():
    text = MINIMAL.replace("time: 30m", "time: 1d").replace("time: 10m", "time: 1h30m")
    definition = load_definition_text(text)
    assert definition.step("tulis").time == dt.timedelta(hours=7, minutes=30)
    assert definition.step("periksa").time == dt.timedelta(hours=1, minutes=30)


def test_content_hash_ignores_comments_quoting_order_and_layout():
    original = load_definition_text(MINIMAL)
    reformatted = "# A comment at the top\n" + MINIMAL.replace(
        "code: TEST.MINI-01", 'code: "TEST.MINI-01"  # quoted now'
    ).replace(
        "  - {id: pemeriksa, name: Pemeriksa}", "  - id: pemeriksa\n    name: Pemeriksa"
    ).replace('    number: "1"\n    name: Tulis\n', "    name: Tulis\n    number: '1'\n")
    assert load_definition_text(reformatted).content_hash == original.content_hash


def test_content_hash_changes_with_content():
    original = load_definition_text(MINIMAL)
    changed = load_definition_text(MINIMAL.replace("time: 30m", "time: 45m"))
    assert changed.content_hash != original.content_hash
    assert changed.version != original.version


def test_content_hash_is_sha256_of_canonical_json():
    assert content_hash({"b": 1, "a": [dt.date(2024, 7, 2)]}) == content_hash(
        {"a": [dt.date(2024, 7, 2)], "b": 1}
    )
    assert len(content_hash({})) == 64


def test_anchors_and_merge_keys_are_expanded():
    text = MINIMAL.replace(
        "  - {id: selesai, kind: end, name: Selesai}",
        "  - &end {id: selesai, kind: end, name: Selesai}\n"
        "  - {<<: *end, id: batal, result: cancelled}",
    ).replace(
        "- {id: setuju, label: Setuju, next: selesai}",
        "- {id: setuju, label: Setuju, next: selesai}\n"
        "      - {id: batal, label: Batal, next: batal}",
    )
    definition = load_definition_text(text)
    assert definition.step("batal").result == "cancelled"
    assert definition.step("batal").name == "Selesai"


def test_file_with_bom_loads(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_definition_file(path).code == "TEST.MINI-01"


def test_non_utf8_file_is_a_precise_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("SOP Uji", "SOP Uji é").encode("latin-1"))
    (error,) = validate_file(path)
    assert (error.code, error.line) == ("yaml-syntax", 5)
    with pytest.raises(DefinitionInvalid):
        load_definition_file(path)


def test_arbitrary_python_tags_are_refused():
    text = MINIMAL.replace("name: SOP Uji", "name: !!python/object/apply:os.system ['true']")
    with pytest.raises(DefinitionInvalid) as caught:
        load_definition_text(text)
    assert caught.value.errors[0].code == "yaml-syntax"


def test_errors_name_the_given_filename():
    with pytest.raises(DefinitionInvalid) as caught:
        load_definition_text(MINIMAL.replace("start: tulis", "start: x"), "revisi.yaml")
    assert str(caught.value).startswith("revisi.yaml:13: start: ")


def test_unquoted_number_is_accepted_as_step_number():
    definition = load_definition_text(MINIMAL.replace('number: "1"', "number: 1"))
    assert definition.step("tulis").number == "1"


def test_recursive_alias_is_an_error_not_a_crash():
    errors = validate_text("format: warta-sop/1\nsteps: &a [*a]\n")
    assert ("yaml-syntax", "steps[0]", 2) in [(e.code, e.path, e.line) for e in errors]


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 8):
        refs = ", ".join([f"*a{n - 1}"] * 10)
        lines.append(f"a{n}: &a{n} [{refs}]")
    (error,) = validate_text("\n".join(lines) + "\n")
    assert error.code == "yaml-syntax"


def test_deep_nesting_is_an_error_not_a_crash():
    errors = validate_text("steps: " + "[" * 5000 + "]" * 5000 + "\n")
    assert errors[0].code == "yaml-syntax"

"""The engine's plug-in contract: ``uses:`` / ``provided_by:`` in a definition, the registry the
apps fill, the validator and the system check that refuse unregistered names, and the one
action service that performs whatever a step's capability offers."""

from __future__ import annotations

import pytest
from django.core import checks

from tests.conftest import FIXTURES, SHIPPED
from warta.sop.loader import validate_text
from warta.workflow import actions, registry
from warta.workflow.capabilities import Action, Capability
from warta.workflow.errors import InvalidBranch, ReasonRequired, RequirementsMissing
from warta.workflow.models import Case, StepRun

from .helpers import open_run

HUMAS = (SHIPPED / "sdm-6-ot-02-02-3002.yaml").read_text(encoding="utf-8")
ROOM = (FIXTURES / "sop-peminjaman-ruang.yaml").read_text(encoding="utf-8")


def codes(text: str) -> list[tuple[str, str]]:
    return [(error.path, error.code) for error in validate_text(text)]


def test_the_shipped_definition_names_what_serves_its_steps_and_provides_its_artifacts():
    assert codes(HUMAS) == []
    assert "uses: newsroom.edit" in HUMAS and "uses: publishing.publish" in HUMAS
    assert "provided_by: media.photos" in HUMAS and "provided_by: media.alt_text" in HUMAS


def test_an_unregistered_capability_is_refused_where_the_file_names_it():
    text = HUMAS.replace("uses: publishing.publish", "uses: publishing.teleport", 1)
    errors = validate_text(text)
    assert [(e.path, e.code) for e in errors] == [("steps[6].uses", "unknown-capability")]
    assert "publishing.teleport" in errors[0].message and "newsroom.edit" in errors[0].message
    assert text.splitlines()[errors[0].line - 1].strip() == "uses: publishing.teleport"


def test_a_capability_on_a_step_of_the_wrong_kind_is_refused():
    text = HUMAS.replace("    kind: decision\n", "    kind: decision\n    uses: newsroom.edit\n", 1)
    assert codes(text) == [("steps[2].uses", "unknown-capability")]


def test_an_unregistered_provider_and_a_malformed_name_are_refused():
    text = HUMAS.replace("provided_by: media.videos", "provided_by: media.films")
    assert codes(text) == [("artifacts[2].provided_by", "unknown-provider")]
    text = HUMAS.replace("uses: newsroom.edit", "uses: Newsroom Edit", 1)
    assert codes(text) == [("steps[0].uses", "invalid-id")]
    text = HUMAS.replace("kind: end\n", "kind: end\n    uses: newsroom.edit\n", 1)
    assert ("steps[7].uses", "not-allowed-for-kind") in codes(text)


def test_a_definition_without_the_keys_still_runs_on_the_defaults():
    assert codes(ROOM) == []
    assert "uses:" not in ROOM and "provided_by:" not in ROOM


class Teleport(Capability):
    name = "tests.teleport"
    kinds = ("manual",)


def test_the_system_check_fails_for_a_loaded_definition_naming_an_unregistered_capability(db):
    from warta.sop.services import load_sop

    teleport = Teleport()
    registry.register_capability(teleport)
    try:
        load_sop(
            path_or_text=ROOM.replace(
                "    kind: manual\n", "    kind: manual\n    uses: tests.teleport\n", 1
            )
        )
    finally:
        registry.unregister_capability(teleport.name)
    errors = checks.run_checks(tags=["warta"], databases=["default"])
    assert [error.id for error in errors] == ["warta.E001"]
    assert "tests.teleport" in errors[0].msg and "TEST.RUANG-01" in errors[0].msg
    # Without a database the check still reads the shipped definitions, which are fine.
    assert checks.run_checks(tags=["warta"]) == []


def test_the_system_check_reads_the_shipped_definitions_without_a_database():
    publish = registry.capability("publishing.publish")
    registry.unregister_capability("publishing.publish")
    try:
        errors = checks.run_checks(tags=["warta"])
    finally:
        registry.register_capability(publish)
    assert [error.id for error in errors] == ["warta.E001"]
    assert "publishing.publish" in errors[0].msg


def test_a_name_is_registered_once():
    registry.register_capability(registry.capability("workflow.complete"))  # same object: fine
    with pytest.raises(ValueError):
        registry.register_capability(
            Teleport.__new__(type("Other", (Teleport,), {"name": "workflow.complete"}))
        )


@pytest.fixture
def room_people(make_user):
    return {
        "pemohon": make_user("pemohon", "pemohon"),
        "petugas": make_user("petugas", "petugas_ruang"),
        "kepala": make_user("kepala", "kepala_umum"),
    }


@pytest.fixture
def room_case(room_sop, room_people):
    from warta.workflow.services import start_case

    return start_case(
        sop=room_sop,
        subject_type="tests.room",
        subject_id=1,
        title="Aula",
        started_by=room_people["pemohon"],
    )


def test_the_engine_offers_the_default_actions_of_an_sop_without_capabilities(
    room_case, room_people
):
    run = open_run(room_case)
    opened = actions.open_step(case=room_case, run=run, user=room_people["pemohon"])
    assert [a.name for a in opened.actions] == ["complete"] and not opened.editable
    assert actions.open_step(case=room_case, run=run, user=room_people["kepala"]).actions == []


def test_perform_action_refuses_unknown_actions_and_missing_reasons_and_changes_nothing(
    room_case, room_people
):
    from warta.audit.models import Event

    run = open_run(room_case)
    before = (Event.objects.count(), StepRun.objects.count())
    with pytest.raises(InvalidBranch):
        actions.perform_action(
            case_id=room_case.pk,
            step_run_id=run.pk,
            action="zzz",
            user=room_people["pemohon"],
            data={},
        )
    assert (Event.objects.count(), StepRun.objects.count()) == before


def confirm_all(case, run, user) -> dict:
    """The form data of an executor who ticks every item only they can confirm."""
    form = actions.open_step(case=case, run=run, user=user).form
    field = form.fields.get("confirmed")
    return {"reason": "", "confirmed": [value for value, _ in field.choices] if field else []}


def test_perform_action_says_what_happens_next_and_who_has_the_case(room_case, room_people):
    from warta.sop.definition import SopDefinition

    run = open_run(room_case)
    pemohon = room_people["pemohon"]
    with pytest.raises(RequirementsMissing):  # nothing ticked: the engine cannot tell
        actions.perform_action(
            case_id=room_case.pk, step_run_id=run.pk, action="complete", user=pemohon, data={}
        )
    outcome = actions.perform_action(
        case_id=room_case.pk,
        step_run_id=run.pk,
        action="complete",
        user=pemohon,
        data=confirm_all(room_case, run, pemohon),
    )
    # The message is recomputed here from the rows and the definition.
    nxt = open_run(Case.objects.get(pk=room_case.pk))
    definition: SopDefinition = room_case.sop.definition()
    step = definition.step(nxt.step_id)
    assert step.name in outcome.message and f" {step.number}" in outcome.message
    holder = nxt.assignee.get_full_name() if nxt.assignee else definition.role(nxt.role_id).name
    assert holder in outcome.message


def test_a_decision_that_needs_a_reason_is_refused_without_one(room_case, room_people):
    from warta.audit.models import Event

    case = room_case
    while open_run(case).kind != "decision":
        run = open_run(case)
        actor = next(
            p for p in room_people.values() if actions.open_step(case=case, run=run, user=p).actions
        )
        actions.perform_action(
            case_id=case.pk,
            step_run_id=run.pk,
            action="complete",
            user=actor,
            data=confirm_all(case, run, actor),
        )
        case = Case.objects.get(pk=case.pk)
    run = open_run(case)
    step = case.sop.definition().step(run.step_id)
    needs_reason = next(b for b in step.branches if b.reason_required)
    actor = next(
        p for p in room_people.values() if actions.open_step(case=case, run=run, user=p).actions
    )
    before = Event.objects.count()
    with pytest.raises(ReasonRequired):
        actions.perform_action(
            case_id=case.pk,
            step_run_id=run.pk,
            action=needs_reason.id,
            user=actor,
            data={"reason": "  "},
        )
    assert Event.objects.count() == before and open_run(Case.objects.get(pk=case.pk)).pk == run.pk


def test_action_defaults():
    assert Action(name="x", label="X").style == "primary"

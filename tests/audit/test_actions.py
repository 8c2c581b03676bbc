"""Audit actions are declared once (label + message) and events are recorded only for them; one
snapshot helper writes an object's state into an event."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from warta.accounts import services as accounts
from warta.audit import actions
from warta.audit.actions import UnregisteredAction, register_action
from warta.audit.hashing import canonical_json
from warta.audit.models import Event
from warta.audit.services import record_event
from warta.audit.snapshots import json_safe, snapshot
from warta.audit.verify import verify_chain
from warta.workflow import services as workflow
from warta.workflow.models import Case, StepRun

SRC = Path(__file__).resolve().parents[2] / "src" / "warta"

RECORDER = "record_event"


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def codes_used_in_source() -> set[str]:
    """Every action code the product records, found by reading the source (not the registry):
    the ``action`` of each ``record_event(...)`` call, followed through helpers that pass on a
    parameter (``_record_user_event("accounts.signed_in", ...)``) and module constants."""
    trees = {
        path: ast.parse(path.read_text(encoding="utf-8"))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and path.parent.name != "audit"
    }
    constants = {
        target.id: node.value.value
        for tree in trees.values()
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }
    # function name -> (parameter name, its position): functions that pass a parameter on as
    # the code of an event; record_event itself is the first.
    recorders: dict[str, tuple[str, int]] = {RECORDER: ("action", -1)}
    found: set[str] = set()

    def resolve(expr: ast.expr, params: list[str], where: str) -> set[str] | str:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return resolve(expr.body, params, where) | resolve(expr.orelse, params, where)
        if isinstance(expr, ast.Name | ast.Attribute) and _name(expr) in constants:
            return {constants[_name(expr)]}
        if isinstance(expr, ast.Name) and expr.id in params:
            return expr.id  # passed on: the callers give the code
        raise AssertionError(f"{where}: cannot tell the audit action of {ast.unparse(expr)}")

    changed = True
    while changed:
        changed = False
        found.clear()
        for path, tree in trees.items():
            functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
            for function in functions:
                params = [a.arg for a in function.args.args + function.args.kwonlyargs]
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call) or _name(call.func) not in recorders:
                        continue
                    param, position = recorders[_name(call.func)]
                    expr = next((k.value for k in call.keywords if k.arg == param), None)
                    if expr is None and 0 <= position < len(call.args):
                        expr = call.args[position]
                    if expr is None:
                        continue
                    codes = resolve(expr, params, f"{path}:{call.lineno}")
                    if isinstance(codes, str):
                        if function.name not in recorders:
                            recorders[function.name] = (codes, params.index(codes))
                            changed = True
                    else:
                        found.update(codes)
    return found


def test_every_action_code_in_the_source_is_registered():
    used = codes_used_in_source()
    # The grep must really find the codes, or this test would pass on nothing.
    assert {
        "accounts.signed_in",
        "accounts.sign_in_failed",
        "accounts.locked_out",
        "accounts.delegation_appointed",
        "workflow.step_decided",
        "workflow.step_completed",
        "workflow.deviation_reviewed",
        "newsroom.draft_saved",
        "newsroom.item_published",
        "notify.preference_changed",
        "sop.loaded",
        "worktime.calendar_changed",
    } <= used
    assert len(used) >= 30
    unregistered = sorted(code for code in used if not actions.is_registered(code))
    assert unregistered == []


def test_every_registered_action_has_a_translated_label():
    from django.utils import translation

    with translation.override("id"):
        for action in actions.registered_actions():
            if action.code.startswith("test."):
                continue
            assert str(action.label) and str(action.label) != action.code


@pytest.mark.django_db
def test_an_unregistered_code_is_refused_and_nothing_is_written():
    with pytest.raises(UnregisteredAction, match="register_action"):
        record_event(action="nobody.declared_this", actor=None, object_type="t", object_id=1)
    assert not Event.objects.exists()


def test_a_malformed_code_cannot_be_registered():
    with pytest.raises(ValueError):
        register_action("NoDot", "x")


@pytest.mark.django_db
def test_the_admin_shows_label_and_message(client, make_user, room_sop):
    admin = make_user("admin", superuser=True)
    pemohon = make_user("pemohon", "pemohon", full_name="Sari Pemohon")
    petugas = make_user("petugas", "petugas_ruang")
    case = workflow.start_case(
        sop=room_sop,
        subject_type="room.booking",
        subject_id=7,
        title="Rapat koordinasi",
        started_by=pemohon,
    )
    form = ("formulir", "daftar_hadir")
    run = StepRun.objects.get(case=case, finished_at__isnull=True)
    workflow.complete_step(case_id=case.pk, step_run_id=run.pk, user=pemohon, confirmed=form)
    run = StepRun.objects.get(case=case, finished_at__isnull=True)
    workflow.decide(
        case_id=case.pk,
        step_run_id=run.pk,
        user=petugas,
        branch="perbaiki",
        reason="Jumlah peserta",
        confirmed=form,
    )
    accounts.record_sign_in_failure(username="sari", ip="10.0.0.9", locked_out=False)
    assert Case.objects.get(pk=case.pk).revision_round == 1

    client.force_login(admin)
    body = client.get("/admin/audit/event/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Yang terjadi" in body or "yang terjadi" in body
    assert "Langkah diputuskan" in body
    assert (
        "Langkah 2 (Verifikasi) diputuskan: Perlu perbaikan; berikutnya: 1 (Ajukan permohonan)"
        in (body)
    )
    assert "Masuk gagal" in body and "Kata sandi salah untuk “sari”" in body
    assert "SOP dimuat" in body

    decided = Event.objects.get(action="workflow.step_decided")
    detail = client.get(f"/admin/audit/event/{decided.pk}/change/", HTTP_ACCEPT_LANGUAGE="id")
    assert "Perlu perbaikan" in detail.content.decode()

    filtered = client.get(
        "/admin/audit/event/?action=accounts.sign_in_failed", HTTP_ACCEPT_LANGUAGE="id"
    ).content.decode()
    assert "Masuk gagal" in filtered and "Langkah diputuskan —" not in filtered
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_an_event_of_an_unknown_code_still_shows_by_its_code():
    """Events recorded before their code was registered keep showing (by the raw code)."""
    register_action("test.gone_later", "Temporary")
    event = record_event(action="test.gone_later", actor=None, object_type="t", object_id=1)
    actions._registry.pop("test.gone_later")
    assert actions.describe(event) == "test.gone_later"


@pytest.mark.django_db
def test_a_failing_formatter_shows_the_label_alone():
    def broken(event):
        raise KeyError("old shape")

    register_action("test.broken_message", "Broken", broken)
    event = record_event(action="test.broken_message", actor=None, object_type="t", object_id=1)
    assert actions.describe(event) == "Broken"


@pytest.mark.django_db
def test_snapshot_round_trips_types(make_user):
    user = make_user("rina")
    moment = timezone.make_aware(dt.datetime(2026, 11, 27, 16, 20, 5, 123456), dt.UTC)
    case = Case(
        pk=41,
        subject_type="room.booking",
        subject_id="7",
        title="Rapat",
        started_at=moment,
        started_by=user,
        revision_round=2,
    )
    state = snapshot(
        case,
        ["title", "started_at", "started_by", "revision_round", "status", "ended_at"],
        days=[dt.date(2026, 12, 24), dt.date(2026, 12, 25)],
        at=dt.time(7, 30),
        took=dt.timedelta(minutes=30),
        tags=("a", "b"),
    )
    assert state == {
        "title": "Rapat",
        "started_at": "2026-11-27T16:20:05.123456+00:00",
        "started_by": user.pk,  # a foreign key by its id
        "revision_round": 2,
        "status": "open",
        "ended_at": None,
        "days": ["2026-12-24", "2026-12-25"],
        "at": "07:30:00",
        "took": 1800.0,
        "tags": ["a", "b"],
    }
    assert type(state["status"]) is str  # a plain string, not the choice enum
    # What the database stores (and the hash sees) is exactly the snapshot.
    assert canonical_json(state) == state
    assert dt.datetime.fromisoformat(state["started_at"]) == moment


def test_json_safe_handles_nested_values():
    assert json_safe({"a": [dt.date(2026, 1, 2), {"b": dt.timedelta(seconds=90)}]}) == {
        "a": ["2026-01-02", {"b": 90.0}]
    }


@pytest.mark.django_db
def test_snapshot_leaves_out_the_primary_key_and_excluded_fields(make_user):
    user = make_user("rina")
    state = snapshot(user, exclude=("password", "last_login", "date_joined"))
    assert "id" not in state and "password" not in state and "groups" not in state
    assert state["username"] == "rina" and state["is_active"] is True
    groups = snapshot(user, ["groups"])  # a many-to-many field: the ids, sorted
    assert groups == {"groups": sorted(user.groups.values_list("pk", flat=True))}


@pytest.mark.django_db
def test_the_admin_list_looks_each_case_up_once(
    client, make_user, room_sop, django_assert_max_num_queries
):
    pemohon = make_user("pemohon", "pemohon")
    petugas = make_user("petugas", "petugas_ruang")
    client.force_login(make_user("admin", superuser=True))
    case = workflow.start_case(
        sop=room_sop, subject_type="room.booking", subject_id=8, title="Rapat", started_by=pemohon
    )
    form = ("formulir", "daftar_hadir")

    def round_trip():
        run = StepRun.objects.get(case=case, finished_at__isnull=True)
        workflow.complete_step(case_id=case.pk, step_run_id=run.pk, user=pemohon, confirmed=form)
        run = StepRun.objects.get(case=case, finished_at__isnull=True)
        workflow.decide(
            case_id=case.pk, step_run_id=run.pk, user=petugas, branch="perbaiki", reason="Ulang"
        )

    round_trip()
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/audit/event/")
    for _ in range(5):
        round_trip()
    assert Event.objects.filter(action="workflow.step_decided").count() == 6
    with CaptureQueriesContext(connection) as many:
        client.get("/admin/audit/event/")
    assert len(many) == len(few)
    with django_assert_max_num_queries(20):
        client.get("/admin/audit/event/")

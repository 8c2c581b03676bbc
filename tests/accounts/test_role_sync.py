"""Roles follow the loaded SOP: accounts keeps a ``Role`` and a group per swimlane, as the
receiver of ``sop_loaded`` — the SOP app itself knows nothing of accounts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

import warta.sop
from warta.accounts.models import Role
from warta.sop.errors import DefinitionInvalid
from warta.sop.models import SopVersion
from warta.sop.services import load_sop
from warta.sop.signals import sop_loaded

SHIPPED = Path(warta.sop.__file__).parent / "definitions" / "sdm-6-ot-02-02-3002.yaml"


def renamed(old: str, new: str) -> str:
    return SHIPPED.read_text(encoding="utf-8").replace(f"name: {old}\n", f"name: {new}\n", 1)


@pytest.mark.django_db
def test_loading_a_definition_creates_a_role_and_group_per_swimlane():
    version = load_sop(path_or_text=SHIPPED)
    lanes = {role.id: role.name for role in version.definition().roles}
    assert {role.code: role.name for role in Role.objects.all()} == lanes
    assert {role.code: role.group.name for role in Role.objects.all()} == lanes
    assert Group.objects.count() == len(lanes)


@pytest.mark.django_db
def test_a_revision_that_renames_a_swimlane_renames_its_role_and_group():
    load_sop(path_or_text=SHIPPED)
    group = Role.objects.get(code="staf_humas").group
    load_sop(path_or_text=renamed("Staf Humas", "Pranata Humas"))
    role = Role.objects.get(code="staf_humas")
    assert (role.name, role.group_id, role.group.name) == (
        "Pranata Humas",
        group.pk,
        "Pranata Humas",
    )


@pytest.mark.django_db
def test_loading_the_same_content_again_restores_a_missing_role():
    load_sop(path_or_text=SHIPPED)
    Role.objects.filter(code="kabag_adm_umum").delete()
    again = load_sop(path_or_text=SHIPPED)
    assert not again.newly_loaded
    assert Role.objects.filter(code="kabag_adm_umum").exists()


@pytest.mark.django_db
def test_the_signal_is_sent_inside_the_load_and_a_failing_receiver_undoes_it():
    seen = []

    def receiver(sender, *, version, definition, created, **kwargs):
        seen.append((version.code, definition.code, created))
        raise RuntimeError("receiver failed")

    sop_loaded.connect(receiver, dispatch_uid="test-failing-receiver")
    try:
        with pytest.raises(RuntimeError):
            load_sop(path_or_text=SHIPPED)
    finally:
        sop_loaded.disconnect(dispatch_uid="test-failing-receiver")
    assert seen == [("SDM.6.OT.02.02-3002", "SDM.6.OT.02.02-3002", True)]
    assert not SopVersion.objects.exists()
    assert not Role.objects.exists()


@pytest.mark.django_db
def test_an_invalid_definition_syncs_no_role():
    with pytest.raises(DefinitionInvalid):
        load_sop(path_or_text=SHIPPED.read_text(encoding="utf-8").replace("steps:", "stepz:"))
    assert not Role.objects.exists()


def test_the_sop_app_does_not_import_accounts():
    """Role sync lives in accounts; the SOP app's services and signals must not reach back."""
    package = Path(warta.sop.__file__).parent
    for name in ("services.py", "signals.py", "loader.py", "definition.py", "models.py"):
        tree = ast.parse((package / name).read_text(encoding="utf-8"))
        imported = {
            node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        assert not any(module.startswith("warta.accounts") for module in imported), name

"""The product runs a revision of the shipped SOP in which every step, branch, artifact and role
id is renamed, through the whole happy path in the browser, unchanged: nothing in the code may
depend on the shipped ids (issue 9). The step 1 → step 2 hand-over is done in one action from
the new-note form."""

from __future__ import annotations

import pytest

from tests.browser.test_newsroom_flow import walk_happy_path
from tests.conftest import SHIPPED
from tests.sop_rename import renamed_definition

SHIPPED_FILE = SHIPPED / "sdm-6-ot-02-02-3002.yaml"


@pytest.fixture
def renamed_ids(db):
    from warta.sop.models import SopVersion
    from warta.sop.services import load_sop

    load_sop(path_or_text=SHIPPED_FILE)  # the office ran the shipped version before
    text, ids = renamed_definition(SHIPPED_FILE.read_text(encoding="utf-8"))
    version = load_sop(path_or_text=text)
    assert version.is_active and SopVersion.objects.filter(code=version.code).count() == 2
    return ids


@pytest.fixture
def people(renamed_ids, make_user):
    ids = renamed_ids
    return {
        "humas": make_user("humas", ids["staf_humas"], full_name="Sari Wulandari"),
        "kasubbag": make_user("kasubbag", ids["kasubbag_umum_rt"], full_name="Rina Kartika"),
        "kabag": make_user("kabag", ids["kabag_adm_umum"], full_name="Agus Prasetyo"),
    }


def test_happy_path_on_a_definition_with_every_id_renamed(
    renamed_ids, people, open_browser, shoot, live_server
):
    assert all(new != old for old, new in renamed_ids.items())
    walk_happy_path(open_browser, shoot, ids=renamed_ids, one_action=True)

"""The demo names no id of the shipped SOP: it plays a copy whose every id is renamed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import warta.sop
from tests.sop_rename import renamed_definition
from warta.demo import news as demo
from warta.demo import people as demo_people_module
from warta.demo.people import create_demo_users, demo_people
from warta.sop.services import load_sop

SHIPPED = Path(warta.sop.__file__).parent / "definitions" / "sdm-6-ot-02-02-3002.yaml"


@pytest.fixture
def renamed_sop(db, tmp_path, monkeypatch, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    text, new_ids = renamed_definition(SHIPPED.read_text(encoding="utf-8"), prefix="q")
    version = load_sop(path_or_text=text)
    people = yaml.safe_load(demo_people_module.PEOPLE_FILE.read_text(encoding="utf-8"))
    for person in people:
        if person["role"]:
            person["role"] = new_ids[person["role"]]
    people_file = tmp_path / "people.yaml"
    people_file.write_text(yaml.safe_dump(people), encoding="utf-8")
    monkeypatch.setattr(demo_people_module, "PEOPLE_FILE", people_file)
    demo_people.cache_clear()
    yield version, new_ids
    demo_people.cache_clear()


@pytest.mark.django_db
def test_the_stories_end_where_designed_on_a_renamed_sop(renamed_sop):
    version, new_ids = renamed_sop
    create_demo_users()
    items = demo.create_demo_news()
    assert [demo.stage_of(item) for item in items] == [story.stage for story in demo.STORIES]
    assert all(item.case.sop_id == version.pk for item in items)
    published = [item for item in items if item.is_published]
    assert len(published) == 4
    assert {item.case.end_state for item in published} == {new_ids["terunggah"]}
    waiting = [item.case.current_step for item in items if not item.is_published]
    assert waiting == [new_ids["edit"], new_ids["izin"], new_ids["catat"]]

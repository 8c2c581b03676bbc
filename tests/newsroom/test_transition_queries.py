"""Query ceilings of each step transition of the shipped SOP (issue 12): one item is driven
through the whole SOP with the services the pages call, and every transition must stay within
its ceiling — the number measured when it was set, plus two. A transition that starts asking
the database once per artifact, alert or recipient again fails here, on both databases.

Print the numbers after a change with
``WARTA_MEASURE_QUERIES=1 .venv/bin/pytest tests/newsroom/test_transition_queries.py -s``;
lower a ceiling freely, raise one only after looking for the repeated query. (Speed figures:
``bench/transition_bench.py``; no timed assertions here.)
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from warta.newsroom import services
from warta.publishing import services as publishing

# Per transition: the step finished (``create`` starts the case). Measured + 2, the same on
# both databases. Before issue 12 they were 45, 45, 56, 68, 40, 55 and 78.
CEILINGS = {
    "create": 37,
    "catat": 34,
    "edit": 43,
    "periksa": 44,  # the approval and the automatic relay to the Kabag behind it
    "izin": 33,
    "perintah_unggah": 42,
    "unggah": 72,  # publishing on the website and finishing the SOP
}

MEASURE = os.environ.get("WARTA_MEASURE_QUERIES") == "1"


@pytest.fixture
def ceiling(django_assert_max_num_queries):
    measured: dict[str, int] = {}

    @contextmanager
    def check(name: str):
        with (
            CaptureQueriesContext(connection) as captured,
            django_assert_max_num_queries(CEILINGS[name]),
        ):
            yield
        measured[name] = len(captured.captured_queries)

    yield check
    if MEASURE:
        print(f"\n{connection.vendor}: {measured}")


def _approve(step) -> str:
    return next(branch.id for branch in step.branches if not branch.revision)


def drive(item, people, check) -> None:
    """Finish every step of ``item``'s case as the pages do, each within ``check(step)``."""
    actors = {
        "staf_humas": people["humas"],
        "kasubbag_umum_rt": people["kasubbag"],
        "kabag_adm_umum": people["kabag"],
    }
    definition = item.case.sop.definition()
    for _ in range(len(definition.steps)):
        run = item.case.step_runs.filter(finished_at__isnull=True).first()
        if run is None:
            return
        step = definition.step(run.step_id)
        common = {"item_id": item.pk, "step_run_id": run.pk, "user": actors[run.role_id]}
        with check(step.id):
            if step.kind == "decision":
                services.decide(branch=_approve(step), **common)
            elif step.uses == "publishing.publish":
                publishing.publish(**common)
            else:
                services.submit(note="Selesai.", **common)
    raise AssertionError("the SOP did not end")


@pytest.mark.django_db
def test_each_transition_stays_within_its_query_ceiling(people, new_item, ceiling):
    for number, user in enumerate(people.values()):
        user.email = f"orang{number}@example.go.id"  # so that every notification is mailed
        user.save(update_fields=["email"])
    warm = new_item("Pemanasan")  # first-use work (the chain head, the calendar tables) first
    drive(warm, people, lambda name: contextmanager(lambda: (yield))())

    with ceiling("create"):
        item = new_item("Kuliah Umum Keimigrasian", alt=False)
    services.save_draft(
        item_id=item.pk,
        user=people["humas"],
        base_version=item.edit_version,
        content={},
        alt_texts={photo.asset_id: "Foto kuliah umum di aula" for photo in item.photos.all()},
    )
    item.refresh_from_db()
    drive(item, people, ceiling)
    item.case.refresh_from_db()
    assert item.case.status == "completed"
    assert not item.case.step_runs.filter(finished_at__isnull=True).exists()

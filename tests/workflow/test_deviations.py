"""Deviations after they are recorded: the executor explains, the supervisor reviews."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from warta.audit.models import Event
from warta.workflow import services
from warta.workflow.deviations import NotExplainedYet, explain_deviation, review_deviation
from warta.workflow.errors import NotPermitted, ReasonRequired
from warta.workflow.models import Deviation
from warta.workflow.selectors import DeviationFilter, deviation_list, unexplained_for

from .helpers import open_run


@pytest.fixture
def late(humas_sop, make_user):
    """A step 1 finished late by humas: one waktu deviation."""
    people = {
        "humas": make_user("humas", "staf_humas"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt"),
        "kabag": make_user("kabag", "kabag_adm_umum"),
    }
    start = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # Wed 09:00 WIB
    with time_machine.travel(start, tick=False):
        case = services.start_case(
            sop=humas_sop,
            subject_type="t",
            subject_id="1",
            title="Berita",
            started_by=people["humas"],
        )
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        services.complete_step(
            case_id=case.pk,
            step_run_id=open_run(case).pk,
            user=people["humas"],
            confirmed=["naskah", "foto", "video"],
        )
    return people, Deviation.objects.get(kind="waktu")


@pytest.mark.django_db
def test_explain_then_acknowledge(late):
    people, deviation = late
    assert list(unexplained_for(people["humas"])) == [deviation]
    with pytest.raises(NotPermitted):
        explain_deviation(deviation_id=deviation.pk, user=people["kasubbag"], explanation="x" * 20)
    with pytest.raises(ReasonRequired):
        explain_deviation(deviation_id=deviation.pk, user=people["humas"], explanation="maaf")
    with pytest.raises(NotExplainedYet):  # nothing to review before an explanation
        review_deviation(
            deviation_id=deviation.pk, user=people["kasubbag"], decision="acknowledged"
        )
    explain_deviation(
        deviation_id=deviation.pk, user=people["humas"], explanation="Menunggu foto dari panitia."
    )
    assert not unexplained_for(people["humas"]).exists()
    with pytest.raises(NotPermitted):  # the executor's peer or self may not review
        review_deviation(deviation_id=deviation.pk, user=people["humas"], decision="acknowledged")
    review_deviation(deviation_id=deviation.pk, user=people["kasubbag"], decision="acknowledged")
    deviation.refresh_from_db()
    assert deviation.review == "acknowledged" and deviation.reviewed_by == people["kasubbag"]
    actions = list(Event.objects.values_list("action", flat=True))
    assert actions[-2:] == ["workflow.deviation_explained", "workflow.deviation_reviewed"]


@pytest.mark.django_db
def test_a_dispute_needs_a_note_and_asks_for_a_new_explanation(late):
    people, deviation = late
    explain_deviation(deviation_id=deviation.pk, user=people["humas"], explanation="Sinyal buruk.")
    with pytest.raises(ReasonRequired):
        review_deviation(deviation_id=deviation.pk, user=people["kabag"], decision="disputed")
    review_deviation(
        deviation_id=deviation.pk, user=people["kabag"], decision="disputed", note="Tidak jelas."
    )
    assert list(unexplained_for(people["humas"])) == [deviation]
    explain_deviation(
        deviation_id=deviation.pk,
        user=people["humas"],
        explanation="Jaringan kantor padam pukul 10.00–11.30.",
    )
    deviation.refresh_from_db()
    assert deviation.review == "pending"


@pytest.mark.django_db
def test_filters(late):
    people, deviation = late
    everything = deviation_list(DeviationFilter())
    assert everything.count() == 1  # video confirmed: only the time deviation
    assert list(deviation_list(DeviationFilter(kind="waktu"))) == [deviation]
    assert deviation_list(DeviationFilter(explained="yes")).count() == 0
    assert deviation_list(DeviationFilter(step_id="edit")).count() == 0
    assert deviation_list(DeviationFilter(person_id=people["humas"].pk)).count() == 1
    assert deviation_list(DeviationFilter(person_id=people["kabag"].pk)).count() == 0
    assert deviation_list(DeviationFilter(start=dt.date(2026, 12, 3))).count() == 0

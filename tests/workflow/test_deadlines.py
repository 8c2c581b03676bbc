"""Deadlines with a controlled clock and the real task worker: reminders, the late flag and
escalation fire at the right working-time instants, once, and never for a step done in time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from warta.audit.models import Event
from warta.workflow import services
from warta.workflow.models import Deviation, StepAlert

from .helpers import ALL_HUMAS_ARTIFACTS, open_run

WIB = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db(transaction=True)


def wib(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=WIB)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def notified(kind: str) -> list[str]:
    from warta.notify.models import Notification

    return sorted(
        Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True)
    )


@pytest.fixture
def people(make_user):
    return {
        "humas": make_user("humas", "staf_humas"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt"),
        "kabag": make_user("kabag", "kabag_adm_umum"),
    }


def start_at(instant, sop, user):
    with time_machine.travel(instant, tick=False):
        return services.start_case(
            sop=sop, subject_type="test.item", subject_id="1", title="Berita", started_by=user
        )


def at(instant) -> None:
    with time_machine.travel(instant, tick=False):
        run_worker()


def state(kind: str, ordinal: int = 0) -> str:
    return StepAlert.objects.get(kind=kind, ordinal=ordinal).state


def test_a_step_started_before_christmas_is_due_after_the_holidays(humas_sop, people):
    case = start_at(wib(2026, 12, 23, 15, 50), humas_sop, people["humas"])
    run = open_run(case)
    assert run.step_id == "catat" and run.due_at == wib(2026, 12, 28, 7, 50)
    planned = {(a.kind, a.ordinal): a.fire_at.astimezone(WIB) for a in StepAlert.objects.all()}
    assert planned == {
        ("reminder", 50): wib(2026, 12, 28, 7, 35),  # 10 min on the 23rd + 5 min on the 28th
        ("reminder", 90): wib(2026, 12, 28, 7, 47),
        ("late", 0): wib(2026, 12, 28, 7, 50),
        ("escalation", 0): wib(2026, 12, 28, 8, 50),
    }
    # One task per alert, waiting in the queue for its instant: nothing polls.
    assert sorted(t.run_after.astimezone(WIB) for t in DBTaskResult.objects.all()) == sorted(
        planned.values()
    )

    at(wib(2026, 12, 28, 7, 34, 59))
    assert set(StepAlert.objects.values_list("state", flat=True)) == {"scheduled"}
    at(wib(2026, 12, 28, 7, 35))
    assert state("reminder", 50) == "fired" and state("reminder", 90) == "scheduled"
    assert notified("reminder") == ["humas"]
    at(wib(2026, 12, 28, 7, 49, 59))
    assert state("reminder", 90) == "fired" and state("late") == "scheduled"
    assert not Deviation.objects.exists()

    at(wib(2026, 12, 28, 7, 50))
    assert state("late") == "fired"
    deviation = Deviation.objects.get()
    assert deviation.kind == "waktu" and deviation.attributed_to == people["humas"]
    assert notified("late") == ["humas", "kasubbag"]
    assert Event.objects.filter(action="workflow.step_late").count() == 1

    at(wib(2026, 12, 28, 8, 50))
    at(wib(2026, 12, 28, 9, 30))  # running again fires nothing twice
    assert notified("escalation") == ["kabag"]
    assert Event.objects.filter(action="workflow.step_escalated").count() == 1
    assert Deviation.objects.count() == 1
    assert notified("late") == ["humas", "kasubbag"]

    # Finishing late keeps the one deviation (no second one).
    with time_machine.travel(wib(2026, 12, 28, 10, 0), tick=False):
        services.complete_step(
            case_id=case.pk,
            step_run_id=run.pk,
            user=people["humas"],
            confirmed=ALL_HUMAS_ARTIFACTS,
        )
    assert Deviation.objects.filter(kind="waktu").count() == 1


def test_a_step_finished_in_time_produces_nothing(humas_sop, people):
    case = start_at(wib(2026, 12, 2, 9, 0), humas_sop, people["humas"])
    with time_machine.travel(wib(2026, 12, 2, 9, 10), tick=False):
        services.complete_step(
            case_id=case.pk,
            step_run_id=open_run(case).pk,
            user=people["humas"],
            confirmed=ALL_HUMAS_ARTIFACTS,
        )
    at(wib(2026, 12, 2, 9, 20))  # the 50 % reminder of step 1 would have fired now
    first_step = StepAlert.objects.filter(step_run__step_id="catat")
    assert set(first_step.values_list("state", flat=True)) == {"scheduled", "skipped"}
    at(wib(2026, 12, 2, 10, 31))  # past step 1's escalation; step 2 (2 h) not yet due
    assert set(first_step.values_list("state", flat=True)) == {"skipped"}
    assert not Deviation.objects.exists()
    assert notified("late") == [] and notified("escalation") == []
    assert not Event.objects.filter(action__in=["workflow.step_late", "workflow.step_escalated"])

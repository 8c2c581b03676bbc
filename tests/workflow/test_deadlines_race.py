"""A person finishes a step at the moment its late check fires: the check takes the case lock
first (the documented lock order), so one of the two goes first and the other sees its result —
never an error, exactly one time deviation, and the alert's state agrees with what happened.

Runs on SQLite and PostgreSQL with real threads and connections. Two cases hold one side inside
its transaction for a moment to force each order; a third lets both start at once, many times.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.workflow import deadlines, services
from warta.workflow.models import Case, Deviation, StepAlert, StepRun

from .helpers import ALL_HUMAS_ARTIFACTS, open_run

WIB = ZoneInfo("Asia/Jakarta")
STARTED = dt.datetime(2026, 12, 2, 9, 0, tzinfo=WIB)  # a working Wednesday; due at 09:30
LATE = dt.datetime(2026, 12, 2, 9, 31, tzinfo=WIB)
HOLD = 0.4  # seconds one side stays inside its transaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def humas(humas_sop, make_user):
    return make_user("humas", "staf_humas")


def _late_case(sop, user, n: int = 1) -> tuple[Case, StepRun, StepAlert]:
    with time_machine.travel(STARTED, tick=False):
        case = services.start_case(
            sop=sop, subject_type="test.item", subject_id=str(n), title="Berita", started_by=user
        )
    run = open_run(case)
    assert run.due_at == STARTED + dt.timedelta(minutes=30)
    return case, run, StepAlert.objects.get(step_run=run, kind=StepAlert.Kind.LATE)


def _run_together(*jobs: Callable[[], object]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(jobs))

    def run(job: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return errors


def _finish(case: Case, run: StepRun, user) -> Callable[[], object]:
    return lambda: services.complete_step(
        case_id=case.pk, step_run_id=run.pk, user=user, confirmed=ALL_HUMAS_ARTIFACTS
    )


def _outcome(case: Case, run: StepRun, alert: StepAlert) -> str:
    """Check that the records agree with one order of the two; return which one it was."""
    alert.refresh_from_db()
    run.refresh_from_db()
    assert run.finished_at is not None
    waktu = list(Deviation.objects.filter(step_run=run, kind=Deviation.Kind.WAKTU))
    assert len(waktu) == 1
    events = Event.objects.filter(object_type="workflow.case", object_id=str(case.pk))
    flagged = list(events.filter(action="workflow.step_late"))
    finished = events.get(action="workflow.step_completed", after__step_run=run.pk)
    assert finished.after["deviations"] == [Deviation.Kind.WAKTU]
    assert alert.handled_at is not None
    if alert.state == StepAlert.State.FIRED:
        # Flagged while the step was still open, before the person finished it, and the
        # finish found that deviation instead of adding its own.
        assert len(flagged) == 1 and flagged[0].seq < finished.seq
        assert flagged[0].after["deviation"] == waktu[0].pk
        return "check first"
    assert alert.state == StepAlert.State.SKIPPED
    assert flagged == []
    return "decision first"


def test_a_check_that_fires_first_makes_the_decision_wait(humas_sop, humas, monkeypatch):
    case, run, alert = _late_case(humas_sop, humas)
    checking = threading.Event()
    flag_late = deadlines._flag_late

    def slow_flag_late(*args, **kwargs):
        checking.set()
        time.sleep(HOLD)  # the decision arrives now, while the check is inside its transaction
        return flag_late(*args, **kwargs)

    monkeypatch.setattr(deadlines, "_flag_late", slow_flag_late)

    def decide_while_checking() -> None:
        assert checking.wait(timeout=30)
        _finish(case, run, humas)()

    with time_machine.travel(LATE, tick=False):
        errors = _run_together(lambda: deadlines.fire(alert.pk), decide_while_checking)
    assert errors == []
    assert _outcome(case, run, alert) == "check first"
    assert list(verify_chain()) == []


def test_a_decision_that_comes_first_makes_the_check_skip(humas_sop, humas, monkeypatch):
    case, run, alert = _late_case(humas_sop, humas)
    deciding = threading.Event()
    record_deviations = services._record_deviations

    def slow_record_deviations(*args, **kwargs):
        recorded = record_deviations(*args, **kwargs)
        deciding.set()
        time.sleep(HOLD)  # the check fires now, while the decision is inside its transaction
        return recorded

    monkeypatch.setattr(services, "_record_deviations", slow_record_deviations)
    results: list[str] = []

    def check_while_deciding() -> None:
        assert deciding.wait(timeout=30)
        results.append(deadlines.fire(alert.pk))

    with time_machine.travel(LATE, tick=False):
        errors = _run_together(_finish(case, run, humas), check_while_deciding)
    assert errors == []
    assert results == ["skipped"]
    assert _outcome(case, run, alert) == "decision first"
    assert list(verify_chain()) == []


def test_decisions_and_checks_at_the_same_moment_never_fail(humas_sop, humas):
    cases = [_late_case(humas_sop, humas, n) for n in range(6)]
    jobs: list[Callable[[], object]] = []
    for case, run, alert in cases:
        jobs += [_finish(case, run, humas), lambda pk=alert.pk: deadlines.fire(pk)]
    with time_machine.travel(LATE, tick=False):
        errors = _run_together(*jobs)
    assert errors == []
    outcomes = {_outcome(case, run, alert) for case, run, alert in cases}
    assert outcomes <= {"check first", "decision first"}
    assert Deviation.objects.filter(kind=Deviation.Kind.WAKTU).count() == len(cases)
    assert list(verify_chain()) == []

"""The engine's events: ``step_finished``, ``case_ended`` and ``deviation_recorded`` are sent
once per fact, inside the transaction, after the rows they speak of are written. What was sent
is compared with the rows recorded, never with the code that sends them."""

from __future__ import annotations

import pytest

from warta.workflow import services, signals
from warta.workflow.models import Case, Deviation, StepRun

from .test_engine_humas import complete, decide, people, start  # noqa: F401 - fixtures

WITHOUT_VIDEO = ("naskah", "foto", "alt_foto")  # the alt text is checked at the upload


@pytest.fixture
def heard():
    """What each engine signal delivered, with the row's state read back at that moment."""
    log: dict[str, list] = {"finished": [], "ended": [], "deviation": []}

    def on_finished(sender, step_run, case, **kwargs):
        row = StepRun.objects.get(pk=step_run.pk)
        log["finished"].append((step_run.pk, row.finished_at is not None, row.outcome))

    def on_ended(sender, case, **kwargs):
        log["ended"].append((case.pk, Case.objects.get(pk=case.pk).status))

    def on_deviation(sender, deviation, case, **kwargs):
        exists = Deviation.objects.filter(pk=deviation.pk, case=case).exists()
        log["deviation"].append((deviation.pk, exists))

    pairs = [
        (signals.step_finished, on_finished),
        (signals.case_ended, on_ended),
        (signals.deviation_recorded, on_deviation),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"test-{receiver.__name__}")
    yield log
    for signal, receiver in pairs:
        signal.disconnect(dispatch_uid=f"test-{receiver.__name__}")


def _finished_runs(case) -> list[int]:
    return list(
        StepRun.objects.filter(case=case, finished_at__isnull=False)
        .order_by("seq")
        .values_list("pk", flat=True)
    )


def test_a_whole_case_with_a_return_and_a_missing_video(humas_sop, people, heard):  # noqa: F811
    case = start(humas_sop, people["humas"])
    complete(case, people["humas"], confirmed=WITHOUT_VIDEO)
    complete(case, people["humas"], confirmed=WITHOUT_VIDEO)
    decide(case, people["kasubbag"], "kembalikan", reason="Judul kurang jelas")
    complete(case, people["humas"], confirmed=WITHOUT_VIDEO)
    decide(case, people["kasubbag"], "setuju", confirmed=WITHOUT_VIDEO)
    decide(case, people["kabag"], "izinkan", confirmed=WITHOUT_VIDEO)
    complete(case, people["kasubbag"], confirmed=WITHOUT_VIDEO)
    assert not heard["ended"]
    complete(case, people["humas"], confirmed=WITHOUT_VIDEO)

    # Every finished run once (relay steps included), each already written when announced.
    assert [pk for pk, _written, _outcome in heard["finished"]] == _finished_runs(case)
    assert all(written for _pk, written, _outcome in heard["finished"])
    # One end, announced after the final status was saved.
    assert heard["ended"] == [(case.pk, Case.Status.COMPLETED)]
    # Every deviation row once, and nothing announced that is not a row.
    recorded = list(Deviation.objects.filter(case=case).order_by("pk").values_list("pk", flat=True))
    assert recorded, "the missing video must be on record"
    assert sorted(pk for pk, _exists in heard["deviation"]) == recorded
    assert all(exists for _pk, exists in heard["deviation"])


def test_a_cancelled_case_ends_once(humas_sop, people, heard):  # noqa: F811
    case = start(humas_sop, people["humas"])
    services.cancel_case(case_id=case.pk, user=people["humas"], reason="Salah input")
    run = StepRun.objects.get(case=case)
    assert heard["finished"] == [(run.pk, True, "cancelled")]
    assert heard["ended"] == [(case.pk, Case.Status.CANCELLED)]


def test_a_refused_action_announces_nothing(humas_sop, people, heard):  # noqa: F811
    case = start(humas_sop, people["humas"])
    with pytest.raises(services.NotPermitted):
        complete(case, people["kasubbag"])
    assert heard == {"finished": [], "ended": [], "deviation": []}

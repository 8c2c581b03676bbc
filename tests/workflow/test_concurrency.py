"""Two people acting on the same step at the same moment: exactly one transition."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from warta.audit.models import Event
from warta.workflow import services
from warta.workflow.errors import AlreadyProcessed

from .helpers import ALL_HUMAS_ARTIFACTS, open_run


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_give_one_transition(humas_sop, make_user):
    author = make_user("humas", "staf_humas")
    approvers = [make_user(f"kasubbag{i}", "kasubbag_umum_rt") for i in range(2)]
    case = services.start_case(
        sop=humas_sop,
        subject_type="test.item",
        subject_id=1,
        title="Berita",
        started_by=author,
    )
    for _ in range(2):
        services.complete_step(
            case_id=case.pk,
            step_run_id=open_run(case).pk,
            user=author,
            confirmed=ALL_HUMAS_ARTIFACTS,
        )
    step_run_id = open_run(case).pk
    events_before = Event.objects.count()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def approve(user):
        try:
            barrier.wait()
            services.decide(
                case_id=case.pk,
                step_run_id=step_run_id,
                user=user,
                branch="setuju",
                confirmed=ALL_HUMAS_ARTIFACTS,
            )
            outcomes.append("ok")
        except AlreadyProcessed as refused:
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(map(type, outcomes), key=str) == sorted([str, AlreadyProcessed], key=str)
    refusal = next(o for o in outcomes if isinstance(o, AlreadyProcessed))
    winner = case.step_runs.get(pk=step_run_id).finished_by
    assert winner.get_full_name() in str(refusal)
    assert case.step_runs.filter(step_id="periksa").count() == 1
    assert case.step_runs.filter(finished_at__isnull=True).count() == 1
    # One decision and the automatic relay to the Kabag: two events, not four.
    assert Event.objects.count() == events_before + 2

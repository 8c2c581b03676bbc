"""Random actions by random people on several cases of two different SOPs.

After every step the machine checks the engine's invariants: at most one open step per case,
times never run backwards, every transition made by a permitted person, exactly one audit event
per transition, and a refused action changed nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from warta.accounts.selectors import capacity_for
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.workflow import clock, services
from warta.workflow.errors import WorkflowError
from warta.workflow.models import Case, StepRun

from .helpers import snapshot

WIB = ZoneInfo("Asia/Jakarta")
ARTIFACTS = ("naskah", "foto", "video", "formulir", "daftar_hadir")

PEOPLE = {
    "humas_a": ("staf_humas",),
    "humas_b": ("staf_humas",),
    "kasubbag": ("kasubbag_umum_rt",),
    "rangkap": ("staf_humas", "kasubbag_umum_rt"),
    "kabag": ("kabag_adm_umum",),
    "pemohon": ("pemohon", "petugas_ruang"),
    "petugas": ("petugas_ruang",),
    "kepala": ("kepala_umum", "staf_humas"),
    "tamu": (),
}


class EngineMachine(RuleBasedStateMachine):
    sops: list = []
    users: list = []
    admin = None

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = dt.datetime(2026, 11, 30, 8, 0, tzinfo=WIB)
        self._clock = clock.frozen_at(lambda: self.now)
        self._clock.__enter__()
        self.case_ids: list[int] = []
        self.reassignments: dict[int, int] = {}
        self.expected_events = Event.objects.count()

    def teardown(self) -> None:
        try:
            assert list(verify_chain()) == []
        finally:
            self._clock.__exit__(None, None, None)
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _attempt(self, action) -> bool:
        before = snapshot()
        automatic_before = StepRun.objects.filter(automatic=True).count()
        try:
            action()
        except WorkflowError:
            assert snapshot() == before, "a refused action changed something"
            return False
        new_automatic = StepRun.objects.filter(automatic=True).count() - automatic_before
        self.expected_events += 1 + new_automatic
        return True

    def _permitted(self, run) -> list:
        if run.assignee_id is not None:
            return [u for u in self.users if u.pk == run.assignee_id]
        return [u for u in self.users if capacity_for(u, run.role_id) is not None]

    @initialize()
    def start_one_case_of_each_sop(self):
        for index, starter in ((0, "humas_a"), (1, "pemohon")):
            self.start(index, list(PEOPLE).index(starter))

    @rule(sop=st.integers(0, 1), who=st.integers(0, len(PEOPLE)))
    def start(self, sop, who):
        user = ([*self.users, self.admin])[who]
        subject = len(self.case_ids) + 1

        def action():
            case = services.start_case(
                sop=self.sops[sop],
                subject_type="test.subject",
                subject_id=subject,
                title=f"Perkara {subject}",
                started_by=user,
            )
            self.case_ids.append(case.pk)

        self._attempt(action)

    @rule(
        pick=st.integers(0, 1000),
        who=st.integers(0, len(PEOPLE) - 1),
        branch=st.integers(0, 3),
        reason=st.sampled_from(["", "  ", "Perlu diperbaiki"]),
        confirmed=st.one_of(st.just(set(ARTIFACTS)), st.sets(st.sampled_from(ARTIFACTS))),
        stale=st.booleans(),
        permitted=st.booleans(),
    )
    def act(self, pick, who, branch, reason, confirmed, stale, permitted):
        if not self.case_ids:
            return
        case = Case.objects.get(pk=self.case_ids[pick % len(self.case_ids)])
        runs = list(case.step_runs.order_by("seq"))
        finished = [r for r in runs if r.finished_at is not None]
        open_runs = [r for r in runs if r.finished_at is None]
        run = (
            finished[pick % len(finished)]
            if (stale and finished) or not open_runs
            else open_runs[0]
        )
        step = case.sop.definition().step(run.step_id)
        candidates = self._permitted(run) if permitted else []
        user = candidates[who % len(candidates)] if candidates else self.users[who]
        if step.kind == "decision":
            choices = [b.id for b in step.branches] + ["bukan-cabang"]

            def action():
                services.decide(
                    case_id=case.pk,
                    step_run_id=run.pk,
                    user=user,
                    branch=choices[branch % len(choices)],
                    reason=reason,
                    confirmed=confirmed,
                )
        else:

            def action():
                services.complete_step(
                    case_id=case.pk, step_run_id=run.pk, user=user, confirmed=confirmed
                )

        self._attempt(action)

    @rule(
        pick=st.integers(0, 1000),
        who=st.integers(0, len(PEOPLE)),
        to=st.integers(0, len(PEOPLE) - 1),
        reason=st.sampled_from(["", "Sedang cuti"]),
    )
    def reassign(self, pick, who, to, reason):
        if not self.case_ids:
            return
        case = Case.objects.get(pk=self.case_ids[pick % len(self.case_ids)])
        run = case.step_runs.order_by("-seq").first()
        user = ([*self.users, self.admin])[who]
        if self._attempt(
            lambda: services.reassign(
                case_id=case.pk,
                step_run_id=run.pk,
                user=user,
                assignee=self.users[to],
                reason=reason,
            )
        ):
            self.reassignments[case.pk] = self.reassignments.get(case.pk, 0) + 1

    @rule(
        pick=st.integers(0, 1000),
        who=st.integers(0, len(PEOPLE)),
        reason=st.sampled_from(["", "Kegiatan batal"]),
    )
    def cancel(self, pick, who, reason):
        if not self.case_ids:
            return
        case_id = self.case_ids[pick % len(self.case_ids)]
        user = ([*self.users, self.admin])[who]
        self._attempt(lambda: services.cancel_case(case_id=case_id, user=user, reason=reason))

    @rule(minutes=st.integers(0, 3 * 24 * 60))
    def advance_clock(self, minutes):
        self.now += dt.timedelta(minutes=minutes)

    @invariant()
    def one_open_step_and_monotonic_times(self):
        for case in Case.objects.filter(pk__in=self.case_ids):
            runs = list(case.step_runs.order_by("seq"))
            open_count = sum(r.finished_at is None for r in runs)
            assert open_count == (1 if case.is_open else 0)
            for earlier, later in itertools.pairwise(runs):
                assert earlier.finished_at is not None
                assert earlier.started_at <= earlier.finished_at <= later.started_at
            if runs and runs[-1].finished_at is not None:
                assert runs[-1].started_at <= runs[-1].finished_at
            if case.ended_at is not None:
                assert case.ended_at >= case.started_at

    @invariant()
    def every_transition_by_a_permitted_person(self):
        for case in Case.objects.filter(pk__in=self.case_ids):
            definition = case.sop.definition()
            performed: dict[int, set[str]] = {}
            for run in case.step_runs.order_by("seq").select_related("finished_by"):
                if run.finished_at is None:
                    continue
                user = run.finished_by
                if run.outcome == "cancelled":
                    assert user is not None
                elif run.automatic:
                    assert user is None or capacity_for(user, run.role_id) is not None
                else:
                    assert capacity_for(user, run.role_id) is not None
                    done = performed.get(user.pk, set())
                    for step_id in done:
                        assert run.step_id not in definition.excluded_steps_for(step_id)
                if user is not None:
                    performed.setdefault(user.pk, set()).add(run.step_id)

    @invariant()
    def one_audit_event_per_transition(self):
        assert Event.objects.count() == self.expected_events
        for case_id in self.case_ids:
            transitions = (
                1
                + StepRun.objects.filter(case_id=case_id, finished_at__isnull=False).count()
                + self.reassignments.get(case_id, 0)
            )
            events = Event.objects.filter(object_type="workflow.case", object_id=str(case_id))
            assert events.count() == transitions


@pytest.mark.django_db
def test_engine_invariants_under_random_actions(humas_sop, room_sop, make_user):
    EngineMachine.sops = [humas_sop, room_sop]
    EngineMachine.users = [make_user(name, *roles) for name, roles in PEOPLE.items()]
    EngineMachine.admin = make_user("admin", superuser=True)
    run_state_machine_as_test(
        EngineMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )

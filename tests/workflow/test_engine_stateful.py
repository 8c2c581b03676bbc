"""Random actions by random people — with Plh appointments and revocations and the clock moving
across working hours — on several cases of two different SOPs (the shipped Humas SOP and the
meeting-room SOP of ``test_engine_other_sop.py``).

The actor of each action leans toward the step's assignee, their Plh and the people holding two
roles, and is still sometimes anybody. After every step the machine checks the engine's
invariants, RECOMPUTED INDEPENDENTLY: from the SOP files parsed here as plain YAML, the roles
this module grants, and the recorded rows (StepRun, Case, Deviation, Delegation, audit events) —
never through the engine's own helpers (``check_actor``, ``capacity_for``, the deviation rules,
the definition object …). A refused action must change nothing; an action the plain model says
is allowed must not be refused.

Examples and steps per run come from the hypothesis profile (``tests/conftest.py``): ``ci``
(derandomized, what ``make test`` runs), ``dev`` (the default) and ``long`` (``make test-long``).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from warta.accounts.models import Delegation
from warta.accounts.services import appoint_delegation, revoke_delegation
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.errors import WartaError
from warta.workflow import services
from warta.workflow.models import Case, Deviation, StepRun

WIB = ZoneInfo("Asia/Jakarta")
MONDAY_MORNING = dt.datetime(2026, 11, 30, 8, 0, tzinfo=WIB)
ROOT = Path(__file__).resolve().parents[2]
SOP_FILES = (
    ROOT / "src/warta/sop/definitions/sdm-6-ot-02-02-3002.yaml",
    ROOT / "tests/fixtures/sop-peminjaman-ruang.yaml",
)
STARTERS = ("humas_a", "pemohon")

# Who holds which role in their own name: the machine never changes group memberships, so this
# table is the truth the invariants check against.
PEOPLE = {
    "humas_a": ("staf_humas",),
    "humas_b": ("staf_humas",),
    "kasubbag": ("kasubbag_umum_rt",),
    "rangkap": ("staf_humas", "kasubbag_umum_rt"),
    "kabag": ("kabag_adm_umum",),
    "penulis_kabag": ("staf_humas", "kabag_adm_umum"),
    "pemohon": ("pemohon", "petugas_ruang"),
    "petugas": ("petugas_ruang",),
    "kepala": ("kepala_umum", "staf_humas"),
    "sekretaris": (),
    "tamu": (),
}
DUAL = [name for name, roles in PEOPLE.items() if len(roles) >= 2]

TRANSITIONS = {"workflow.step_completed", "workflow.step_decided", "workflow.step_auto_completed"}

# Choosers: sampled lists repeat the likelier choices; hypothesis shrinks toward the first.
ACT_ARGUMENTS = {
    "pick": st.integers(0, 1000),
    "chooser": st.sampled_from(["assignee", "assignee", "plh", "plh", "dual", "holder", "anyone"]),
    "who": st.integers(0, 50),
    "branch": st.integers(0, 3),
    "reason": st.sampled_from(["Perlu diperbaiki", "Perlu diperbaiki", "", "  "]),
    "confirmed": st.one_of(st.just("all"), st.sets(st.integers(0, 4))),
    "stale": st.sampled_from([False] * 9 + [True]),  # one time in ten, a stale page
}
ACTIONS = st.lists(st.fixed_dictionaries(ACT_ARGUMENTS), min_size=1, max_size=3)
MAX_OPEN_CASES = 2


class PlainSop:
    """What the invariants need from one SOP file, read as plain YAML data (parsed once)."""

    def __init__(self, path: Path) -> None:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.code = data["code"]
        self.start = data["start"]
        self.steps = {step["id"]: step for step in data["steps"]}
        self.supervisor = {role["id"]: role.get("supervisor") for role in data["roles"]}
        self.artifacts = [artifact["id"] for artifact in data.get("artifacts", [])]
        self.on_missing = (data.get("policy") or {}).get("on_missing", "block")
        self.separation = [
            (set(r["performed"]), set(r["excluded"])) for r in data.get("separation_of_duties", [])
        ]

    def branch(self, step_id: str, branch_id: str) -> dict | None:
        return next(
            (b for b in self.steps[step_id].get("branches", []) if b["id"] == branch_id), None
        )

    def successor(self, step_id: str, outcome: str) -> str:
        step = self.steps[step_id]
        if step["kind"] == "decision":
            return self.branch(step_id, outcome)["next"]
        return step["next"]

    def is_revision(self, step_id: str, outcome: str) -> bool:
        if self.steps[step_id]["kind"] != "decision":
            return False
        branch = self.branch(step_id, outcome)
        return bool(branch and branch.get("revision", False))

    def has_time_standard(self, step_id: str) -> bool:
        return self.steps[step_id].get("time") not in (None, "unknown")

    def minimum_duration(self, step_id: str) -> dt.timedelta:
        """A lower bound of the time standard in wall-clock time (working time only stretches
        it): hours and minutes count; days count for nothing here."""
        text = str(self.steps[step_id].get("time") or "")
        hours = sum(int(n) for n in re.findall(r"(\d+)h", text))
        minutes = sum(int(n) for n in re.findall(r"(\d+)m", text))
        return dt.timedelta(hours=hours, minutes=minutes)

    def supervisors(self, role_id: str) -> list[str]:
        chain, current = [], self.supervisor.get(role_id)
        while current and current not in chain:
            chain.append(current)
            current = self.supervisor.get(current)
        return chain

    def blocking_artifacts(self, step_id: str) -> set[str]:
        blocking = set()
        for quality in ("kelengkapan", "output"):
            for item in (self.steps[step_id].get(quality) or {}).get("items", []):
                if isinstance(item, str):
                    item = {"artifact": item}
                if item.get("on_missing", self.on_missing) == "block":
                    blocking.add(item["artifact"])
        return blocking

    def checks_requirements(self, step_id: str, outcome: str) -> bool:
        """A manual step, or a branch going forward (not a revision, not to a refused or
        cancelled end), needs its blocking artifacts."""
        if self.steps[step_id]["kind"] == "manual":
            return True
        if self.is_revision(step_id, outcome):
            return False
        target = self.steps[self.successor(step_id, outcome)]
        return not (target["kind"] == "end" and target.get("result") in ("refused", "cancelled"))


@functools.cache
def plain_sop(path: Path) -> PlainSop:
    return PlainSop(path)


def _snapshot() -> tuple:
    """Everything an action of the machine may change, to prove a refusal changed nothing."""
    return (
        list(Case.objects.order_by("pk").values()),
        list(StepRun.objects.order_by("pk").values()),
        list(Deviation.objects.order_by("pk").values()),
        list(Delegation.objects.order_by("pk").values()),
        Event.objects.count(),
        DBTaskResult.objects.count(),
    )


class EngineMachine(RuleBasedStateMachine):
    sops: list = []
    users: list = []
    admin = None
    reached: Counter[str] = Counter()  # what the examples reached, over the whole test

    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._travel = time_machine.travel(MONDAY_MORNING, tick=False)
        self._clock = self._travel.start()
        self.plain = {
            sop.pk: plain_sop(path) for sop, path in zip(self.sops, SOP_FILES, strict=True)
        }
        self.by_name = {user.username: user for user in self.users}
        self.name_of = {user.pk: user.username for user in [*self.users, self.admin]}
        self.case_ids: list[int] = []
        self.subjects: list[str] = []
        self.reassignments: Counter[int] = Counter()
        self.events_before = Event.objects.count()

    def teardown(self) -> None:
        try:
            self._statistics()
            assert list(verify_chain()) == [], "the audit chain does not verify"
        finally:
            self._travel.stop()
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    def _statistics(self) -> None:
        """Count what this example reached (the test prints the totals)."""
        runs = StepRun.objects.filter(case_id__in=self.case_ids, finished_at__isnull=False)
        self.reached["steps finished by a Plh"] += runs.exclude(acting_for="").count()
        self.reached["steps finished"] += runs.count()
        late = Deviation.objects.filter(case_id__in=self.case_ids, kind=Deviation.Kind.WAKTU)
        self.reached["time deviations"] += late.count()
        for status in Case.objects.filter(pk__in=self.case_ids).values_list("status", flat=True):
            self.reached[f"cases {status}"] += 1
        revised = Case.objects.filter(pk__in=self.case_ids, revision_round__gt=0)
        self.reached["cases with a revision round"] += revised.count()

    # --- the plain model -------------------------------------------------------------------

    @staticmethod
    def now() -> dt.datetime:
        return timezone.now()

    def holds(self, user_pk: int, role_id: str) -> bool:
        name = self.name_of[user_pk]
        return role_id in PEOPLE.get(name, ())

    @staticmethod
    def delegations() -> list[dict]:
        return list(
            Delegation.objects.values(
                "pk",
                "role__code",
                "acting_id",
                "principal_id",
                "appointed_by_id",
                "starts_on",
                "ends_on",
                "appointed_at",
                "revoked_at",
            )
        )

    @staticmethod
    def in_force(delegation: dict, at: dt.datetime) -> bool:
        day = at.astimezone(WIB).date()
        return (
            delegation["starts_on"] <= day <= delegation["ends_on"]
            and delegation["appointed_at"] <= at
            and (delegation["revoked_at"] is None or delegation["revoked_at"] > at)
        )

    def plh_of(self, delegations, user_pk: int, role_id: str, at: dt.datetime) -> list[dict]:
        """The delegations of ``role_id`` to ``user_pk`` in force at ``at``."""
        return [
            d
            for d in delegations
            if d["acting_id"] == user_pk and d["role__code"] == role_id and self.in_force(d, at)
        ]

    def acts_in_role(self, delegations, user_pk, role_id, at) -> bool:
        return self.holds(user_pk, role_id) or bool(self.plh_of(delegations, user_pk, role_id, at))

    def may_carry_out(self, delegations, user_pk, role_id, assignee_id, at) -> bool:
        """The assignee or, for an unassigned step, anyone in the role; or a Plh of the role
        standing in for the assignee (or any Plh of it, for an unassigned step)."""
        if self.holds(user_pk, role_id) and assignee_id in (None, user_pk):
            return True
        return any(
            assignee_id in (None, user_pk, d["principal_id"])
            for d in self.plh_of(delegations, user_pk, role_id, at)
        )

    def barred_by_separation(self, sop: PlainSop, earlier_runs: list[dict], user_pk, step_id):
        """True when ``user_pk`` finished a `performed` step of a rule before, in this case, and
        ``step_id`` is one of that rule's `excluded` steps."""
        done = {
            r["step_id"]
            for r in earlier_runs
            if r["finished_by_id"] == user_pk and r["outcome"] != "cancelled"
        }
        return any(
            done & performed and step_id in excluded for performed, excluded in sop.separation
        )

    # --- performing an action --------------------------------------------------------------

    def _attempt(self, action, expected: bool | None) -> bool:
        """Run ``action``; ``expected`` True: the model says it must succeed; False: it must be
        refused; None: the model does not say."""
        rule = action.__qualname__.split(".")[1].lstrip("_")
        before = _snapshot()
        try:
            action()
        except WartaError as error:  # a refusal
            self.reached[f"refused {rule}: {type(error).__name__}"] += 1
            assert _snapshot() == before, "a refused action changed something"
            assert expected is not True, f"refused although the plain model allows it: {error!r}"
            return False
        self.reached[f"done: {rule}"] += 1
        assert expected is not False, "succeeded although the plain model refuses it"
        return True

    def _everyone(self) -> list:
        return [*self.users, self.admin]

    def _choose(self, chooser: str, who: int, run: dict | None, role_id: str) -> object:
        """Pick an actor: the assignee, their Plh, a two-role person, a holder of the role, or
        anyone at all — falling back to anyone when the chosen kind has nobody."""
        now = self.now()
        candidates: list = []
        if chooser == "assignee" and run is not None and run["assignee_id"] is not None:
            candidates = [u for u in self.users if u.pk == run["assignee_id"]]
        elif chooser == "plh":
            principal = run["assignee_id"] if run is not None else None
            delegations = self.delegations()
            candidates = [
                u
                for u in self.users
                for d in self.plh_of(delegations, u.pk, role_id, now)
                if principal is None or d["principal_id"] in (None, principal)
            ]
        elif chooser == "dual":
            candidates = [self.by_name[name] for name in DUAL]
        if chooser == "holder" or (chooser in ("assignee", "plh") and not candidates):
            candidates = [u for u in self.users if self.holds(u.pk, role_id)]
        if not candidates:
            candidates = self._everyone()
        return candidates[who % len(candidates)]

    @initialize()
    def start_one_case_of_each_sop(self):
        for index, starter in enumerate(STARTERS):
            self.start(index, "anyone", self.users.index(self.by_name[starter]), False)

    def _open_case_ids(self) -> list[int]:
        return list(
            Case.objects.filter(pk__in=self.case_ids, status=Case.Status.OPEN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    @precondition(lambda self: len(self._open_case_ids()) < MAX_OPEN_CASES)
    @rule(
        sop=st.integers(0, 1),
        chooser=st.sampled_from(["holder", "holder", "dual", "anyone"]),
        who=st.integers(0, 50),
        reuse=st.booleans(),
    )
    def start(self, sop, chooser, who, reuse):
        version = self.sops[sop]
        plain = self.plain[version.pk]
        first_role = plain.steps[plain.start]["actor"]
        user = self._choose(chooser, who, None, first_role)
        open_subjects = set(
            Case.objects.filter(status=Case.Status.OPEN).values_list("subject_id", flat=True)
        )
        if reuse and self.subjects:
            subject = self.subjects[who % len(self.subjects)]
        else:
            subject = f"subject-{len(self.subjects) + 1}"
        allowed = self.acts_in_role(self.delegations(), user.pk, first_role, self.now())
        expected = allowed and subject not in open_subjects

        def action():
            case = services.start_case(
                sop=version,
                subject_type="test.subject",
                subject_id=subject,
                title=f"Perkara {subject}",
                started_by=user,
            )
            self.case_ids.append(case.pk)
            if subject not in self.subjects:
                self.subjects.append(subject)

        self._attempt(action, expected)

    @rule(actions=ACTIONS)
    def act(self, actions):
        """People act far more often than anything else happens: up to three actions."""
        for arguments in actions:
            self._act(**arguments)

    @rule(actions=ACTIONS)
    def act_again(self, actions):
        """The same as ``act``, to weigh actions more."""
        self.act(actions)

    def _act(self, pick, chooser, who, branch, reason, confirmed, stale):
        """Complete or decide a step of an open case — one time in ten a stale page: a step
        already finished, or a closed case."""
        choices = self._open_case_ids()
        if stale:
            choices = self.case_ids
        if not choices:
            return
        case = Case.objects.select_related("sop").get(pk=choices[pick % len(choices)])
        plain = self.plain[case.sop_id]
        runs = list(case.step_runs.order_by("seq").values())
        finished = [r for r in runs if r["finished_at"] is not None]
        open_runs = [r for r in runs if r["finished_at"] is None]
        run = finished[pick % len(finished)] if (stale and finished) or not open_runs else None
        run = run or open_runs[0]
        user = self._choose(chooser, who, run, run["role_id"])
        step = plain.steps[run["step_id"]]
        artifacts = (
            set(plain.artifacts)
            if confirmed == "all"
            else {plain.artifacts[i % len(plain.artifacts)] for i in confirmed}
        )
        now = self.now()
        earlier = [r for r in runs if r["seq"] < run["seq"]]
        permitted = (
            run["finished_at"] is None
            and case.status == Case.Status.OPEN
            and self.may_carry_out(
                self.delegations(), user.pk, run["role_id"], run["assignee_id"], now
            )
            and not self.barred_by_separation(plain, earlier, user.pk, run["step_id"])
        )
        if step["kind"] == "decision":
            choices = [b["id"] for b in step["branches"]] + ["bukan-cabang"]
            chosen = choices[branch % len(choices)]
            known = plain.branch(run["step_id"], chosen)
            reason_missing = known is not None and known.get("reason_required", False)
            reason_missing = reason_missing and not reason.strip()
            expected = (
                permitted
                and known is not None
                and not reason_missing
                and self._has_what_it_needs(plain, run["step_id"], chosen, artifacts)
            )

            def action():
                services.decide(
                    case_id=case.pk,
                    step_run_id=run["id"],
                    user=user,
                    branch=chosen,
                    reason=reason,
                    confirmed=artifacts,
                )
        else:
            expected = permitted and self._has_what_it_needs(
                plain, run["step_id"], "completed", artifacts
            )

            def action():
                services.complete_step(
                    case_id=case.pk, step_run_id=run["id"], user=user, confirmed=artifacts
                )

        self._attempt(action, expected)

    @staticmethod
    def _has_what_it_needs(plain: PlainSop, step_id: str, outcome: str, confirmed: set) -> bool:
        if not plain.checks_requirements(step_id, outcome):
            return True
        return plain.blocking_artifacts(step_id) <= confirmed

    @rule(
        pick=st.integers(0, 1000),
        chooser=st.sampled_from(["supervisor", "supervisor", "admin", "anyone"]),
        who=st.integers(0, 50),
        to=st.integers(0, 50),
        to_holder=st.booleans(),
        reason=st.sampled_from(["Sedang cuti", ""]),
    )
    def reassign(self, pick, chooser, who, to, to_holder, reason):
        choices = self._open_case_ids() or self.case_ids
        if not choices:
            return
        case = Case.objects.get(pk=choices[pick % len(choices)])
        run = case.step_runs.order_by("-seq").first()
        plain = self.plain[case.sop_id]
        if chooser == "admin":
            user = self.admin
        elif chooser == "supervisor":
            chain = plain.supervisors(run.role_id)
            supervisors = [u for u in self.users if any(self.holds(u.pk, r) for r in chain)]
            user = supervisors[who % len(supervisors)] if supervisors else self.admin
        else:
            user = self._everyone()[who % len(self._everyone())]
        holders = [u for u in self.users if self.holds(u.pk, run.role_id)]
        assignee = (
            holders[to % len(holders)]
            if to_holder and holders
            else self.users[to % len(self.users)]
        )
        if self._attempt(
            lambda: services.reassign(
                case_id=case.pk,
                step_run_id=run.pk,
                user=user,
                assignee=assignee,
                reason=reason,
            ),
            None if reason.strip() else False,
        ):
            self.reassignments[case.pk] += 1

    @rule(
        pick=st.integers(0, 1000),
        who=st.integers(0, 50),
        reason=st.sampled_from(["Kegiatan batal", ""]),
    )
    def cancel(self, pick, who, reason):
        if not self.case_ids:
            return
        case_id = self.case_ids[pick % len(self.case_ids)]
        user = self._everyone()[who % len(self._everyone())]
        self._attempt(
            lambda: services.cancel_case(case_id=case_id, user=user, reason=reason),
            None if reason.strip() else False,
        )

    @rule(
        pick=st.integers(0, 1000),
        acting=st.integers(0, 50),
        by=st.sampled_from(["principal", "principal", "admin", "acting"]),
        vacant=st.integers(0, 5),
        start=st.sampled_from([0, 0, 0, 0, 1, -1]),
        length=st.sampled_from([0, 1, 1, 2, 5, -1]),
        reason=st.sampled_from(["Dinas luar kota", "Cuti", "Cuti", ""]),
    )
    def appoint(self, pick, acting, by, vacant, start, length, reason):
        """A Plh for the assignee of an open step (or for the holder of a role), starting today
        or tomorrow (or, refused, yesterday), through the accounts service."""
        open_runs = list(
            StepRun.objects.filter(case_id__in=self.case_ids, finished_at__isnull=True).order_by(
                "pk"
            )
        )
        if open_runs and pick % 4:
            run = open_runs[pick % len(open_runs)]
            role_id = run.role_id
            principal = run.assignee or self._choose("holder", pick, None, role_id)
        else:
            principal = self._everyone()[pick % len(self._everyone())]
            roles = PEOPLE.get(principal.username, ()) or ("staf_humas",)
            role_id = roles[pick % len(roles)]
        if vacant == 0:  # a vacant post: only an administrator may appoint
            principal = None
        # Mostly someone who does not hold the role (the others are refused).
        outsiders = [u for u in self.users if not self.holds(u.pk, role_id)]
        acting_user = outsiders[acting % len(outsiders)] if acting % 4 else None
        acting_user = acting_user or self._everyone()[acting % len(self._everyone())]
        appointed_by = {"principal": principal, "admin": self.admin, "acting": acting_user}[by]
        appointed_by = appointed_by or self.admin
        today = self.now().astimezone(WIB).date()
        starts_on = today + dt.timedelta(days=start)
        ends_on = starts_on + dt.timedelta(days=length)
        expected = None
        if (
            start < 0
            or length < 0
            or not reason
            or acting_user == principal
            or self.holds(acting_user.pk, role_id)
            or not (appointed_by.is_superuser or appointed_by == principal)
            or (principal is not None and not self.holds(principal.pk, role_id))
        ):
            expected = False
        self._attempt(
            lambda: appoint_delegation(
                role_code=role_id,
                acting=acting_user,
                principal=principal,
                starts_on=starts_on,
                ends_on=ends_on,
                kind="plh",
                reason=reason,
                appointed_by=appointed_by,
            ),
            expected,
        )

    @rule(
        pick=st.integers(0, 1000),
        by=st.sampled_from(["principal", "appointer", "admin", "anyone"]),
        current=st.integers(0, 3),
    )
    def revoke(self, pick, by, current):
        """Revoke a delegation — usually one in force right now — a minute from now (so that no
        action shares its instant with the revocation)."""
        self._clock.shift(dt.timedelta(minutes=1))
        now = self.now()
        delegations = self.delegations()
        if current:
            delegations = [d for d in delegations if self.in_force(d, now)] or delegations
        if not delegations:
            return
        delegation = delegations[pick % len(delegations)]
        anyone = self._everyone()[pick % len(self._everyone())]
        user = {
            "principal": next((u for u in self.users if u.pk == delegation["principal_id"]), None),
            "appointer": next(
                (u for u in self._everyone() if u.pk == delegation["appointed_by_id"]), None
            ),
            "admin": self.admin,
            "anyone": anyone,
        }[by] or anyone
        may = user.is_superuser or user.pk in (
            delegation["principal_id"],
            delegation["appointed_by_id"],
        )
        still_on = (
            delegation["revoked_at"] is None and delegation["ends_on"] >= now.astimezone(WIB).date()
        )
        self._attempt(
            lambda: revoke_delegation(delegation_id=delegation["pk"], user=user),
            may and still_on,
        )

    @rule(minutes=st.sampled_from([0, 5, 15, 40, 90, 4 * 60, 18 * 60, 3 * 24 * 60]))
    def advance_clock(self, minutes):
        """Time moves on, across working hours, nights and weekends: some steps end up late."""
        self._clock.shift(dt.timedelta(minutes=minutes))

    # --- invariants, from the YAML and the recorded rows -----------------------------------

    def _cases(self):
        cases = list(Case.objects.filter(pk__in=self.case_ids).order_by("pk"))
        runs: dict[int, list[dict]] = {case.pk: [] for case in cases}
        for run in StepRun.objects.filter(case_id__in=runs).order_by("case_id", "seq").values():
            runs[run["case_id"]].append(run)
        return [(case, self.plain[case.sop_id], runs[case.pk]) for case in cases]

    @invariant()
    def the_recorded_history_obeys_the_sop(self):
        cases = self._cases()
        delegations = self.delegations()
        self._check_flow(cases)
        self._check_actors(cases, delegations)
        self._check_separation(cases)
        self._check_time_deviations(cases)
        self._check_audit_events(cases, delegations)
        self._check_delegations(delegations)

    def _check_flow(self, cases):
        """One open run while open; each run follows from the one before by the definition;
        current step, revision round, status and end state match the runs."""
        for case, sop, runs in cases:
            assert runs, "a case without a step"
            assert runs[0]["step_id"] == sop.start
            open_runs = [r for r in runs if r["finished_at"] is None]
            assert len(open_runs) == (1 if case.status == Case.Status.OPEN else 0)
            revisions = 0
            for earlier, later in itertools.pairwise(runs):
                assert earlier["finished_at"] is not None
                assert earlier["outcome"] != "cancelled", "a step after a cancellation"
                assert earlier["started_at"] <= earlier["finished_at"] <= later["started_at"]
                assert later["step_id"] == sop.successor(earlier["step_id"], earlier["outcome"])
            for run in runs:
                step = sop.steps[run["step_id"]]
                assert run["kind"] == step["kind"] and run["role_id"] == step["actor"]
                assert run["revision_round"] == revisions, "a run's revision round"
                if run["finished_at"] is not None and run["outcome"] != "cancelled":
                    revisions += sop.is_revision(run["step_id"], run["outcome"])
            assert case.revision_round == revisions, "revision round != revision branches taken"
            if case.status == Case.Status.OPEN:
                assert case.current_step == open_runs[0]["step_id"]
                assert case.ended_at is None
                continue
            last = runs[-1]
            assert case.current_step == ""
            assert case.ended_at == last["finished_at"]
            if last["outcome"] == "cancelled":
                assert case.status == Case.Status.CANCELLED
            else:
                end = sop.successor(last["step_id"], last["outcome"])
                assert sop.steps[end]["kind"] == "end"
                assert case.end_state == end
                assert case.status == sop.steps[end].get("result", "completed")

    def _check_actors(self, cases, delegations):
        """Every transition by the assignee or their Plh at that moment, in the step's role."""
        for case, sop, runs in cases:
            for index, run in enumerate(runs):
                at, user_pk = run["finished_at"], run["finished_by_id"]
                if at is None:
                    continue
                role = run["role_id"]
                if run["outcome"] == "cancelled":
                    assert user_pk is not None
                    assert (
                        self.name_of[user_pk] == "admin"
                        or any(
                            self.acts_in_role(delegations, user_pk, r, at)
                            for r in sop.supervisors(role)
                        )
                        or (index == 0 and case.started_by_id == user_pk)
                    ), "cancelled by someone not allowed to"
                    continue
                if run["automatic"]:
                    assert user_pk is None or self.acts_in_role(delegations, user_pk, role, at)
                    continue
                assert user_pk is not None
                assert self.may_carry_out(delegations, user_pk, role, run["assignee_id"], at), (
                    f"{self.name_of[user_pk]} finished {run['step_id']} (assignee "
                    f"{self.name_of.get(run['assignee_id'])}) without being its assignee or "
                    "their Plh in its role"
                )
                own = self.holds(user_pk, role)
                assert (run["acting_for"] == "") == own, "Plh label recorded wrongly"

    def _check_separation(self, cases):
        """Nobody who performed a `performed` step finished an `excluded` one afterwards."""
        for _case, sop, runs in cases:
            for index, run in enumerate(runs):
                if run["finished_at"] is None or run["automatic"] or run["outcome"] == "cancelled":
                    continue
                assert not self.barred_by_separation(
                    sop, runs[:index], run["finished_by_id"], run["step_id"]
                ), f"{self.name_of[run['finished_by_id']]} decided {run['step_id']} of own work"

    def _check_time_deviations(self, cases):
        """A due time exactly for steps with a time standard; a time deviation exactly when
        a step was finished (not cancelled) after it."""
        late_flags = Counter(
            Deviation.objects.filter(
                kind=Deviation.Kind.WAKTU, case_id__in=self.case_ids
            ).values_list("step_run_id", flat=True)
        )
        for _case, sop, runs in cases:
            for run in runs:
                assert (run["due_at"] is not None) == sop.has_time_standard(run["step_id"])
                if run["due_at"] is not None:
                    assert run["due_at"] >= run["started_at"] + sop.minimum_duration(run["step_id"])
                late = (
                    run["finished_at"] is not None
                    and run["outcome"] != "cancelled"
                    and run["due_at"] is not None
                    and run["finished_at"] > run["due_at"]
                )
                assert late_flags[run["id"]] == (1 if late else 0), (
                    f"{run['step_id']} due {run['due_at']}, finished {run['finished_at']}: "
                    f"{late_flags[run['id']]} time deviation(s)"
                )

    def _check_audit_events(self, cases, delegations):
        """One audit event per change, as recorded (actor, Plh label), and none without one."""
        events = list(
            Event.objects.filter(seq__gt=0)
            .order_by("seq")
            .values("action", "actor_id", "acting_for", "object_type", "object_id", "after")
        )[self.events_before :]
        by_object = Counter((e["object_type"], e["object_id"], e["action"]) for e in events)
        transitions = Counter(
            (e["object_id"], e["after"]["step_run"], e["actor_id"], e["acting_for"])
            for e in events
            if e["action"] in TRANSITIONS
        )
        expected = 0
        for case, _sop, runs in cases:
            key = ("workflow.case", str(case.pk))
            assert by_object[(*key, "workflow.case_started")] == 1
            assert by_object[(*key, "workflow.step_reassigned")] == self.reassignments[case.pk]
            cancelled = sum(r["outcome"] == "cancelled" for r in runs)
            assert by_object[(*key, "workflow.case_cancelled")] == cancelled
            for run in runs:
                if run["finished_at"] is not None and run["outcome"] != "cancelled":
                    assert (
                        transitions[
                            (str(case.pk), run["id"], run["finished_by_id"], run["acting_for"])
                        ]
                        == 1
                    ), f"no single audit event for {run['step_id']} as recorded"
            finished = sum(r["finished_at"] is not None for r in runs)
            expected += 1 + finished + self.reassignments[case.pk]
        for delegation in delegations:
            key = ("accounts.delegation", str(delegation["pk"]))
            assert by_object[(*key, "accounts.delegation_appointed")] == 1
            revoked = delegation["revoked_at"] is not None
            assert by_object[(*key, "accounts.delegation_revoked")] == revoked
            expected += 1 + revoked
        assert len(events) == expected, "audit events without a change, or changes without one"

    def _check_delegations(self, delegations):
        """Never two live delegations of a role, on the same days, for one principal or to one
        acting person."""
        live = [d for d in delegations if d["revoked_at"] is None]
        for a, b in itertools.combinations(live, 2):
            overlap = a["starts_on"] <= b["ends_on"] and b["starts_on"] <= a["ends_on"]
            if a["role__code"] == b["role__code"] and overlap:
                assert a["acting_id"] != b["acting_id"]
                assert a["principal_id"] != b["principal_id"]


@pytest.mark.django_db
def test_engine_invariants_under_random_actions(humas_sop, room_sop, make_user):
    EngineMachine.sops = [humas_sop, room_sop]
    EngineMachine.users = [make_user(name, *roles) for name, roles in PEOPLE.items()]
    EngineMachine.admin = make_user("admin", superuser=True)
    EngineMachine.reached.clear()
    run_state_machine_as_test(
        EngineMachine,
        settings=settings(
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(sorted(EngineMachine.reached.items()))  # shown with pytest -s

"""A missing artifact is one fact: recorded once, where it first went missing.

Row counts for the scenarios people meet (missing from the start, provided later, removed again,
revision loops), a step that was to produce the artifact, and a property test over random
sequences of present/missing through the Humas SOP.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warta.sop.services import load_sop
from warta.workflow import services
from warta.workflow.models import Case, Deviation
from warta.workflow.selectors import known_missing

from .helpers import open_run

# What the actor confirms the subject holds; the photos' alt text is checked where the SOP
# publishes (step 7) and has nothing to do with the video's story.
WITH_VIDEO = ("naskah", "foto", "video", "alt_foto")
NO_VIDEO = ("naskah", "foto", "alt_foto")
_subject_ids = itertools.count(1)


@pytest.fixture
def people(make_user):
    return {
        "humas": make_user("humas", "staf_humas"),
        "humas2": make_user("humas2", "staf_humas"),
        "kasubbag": make_user("kasubbag", "kasubbag_umum_rt"),
        "kabag": make_user("kabag", "kabag_adm_umum"),
    }


class Humas:
    """Drives one case of the shipped Humas SOP; ``have`` is what the subject holds at each
    action (the test subject has no hooks, so presence is what the actor confirms)."""

    def __init__(self, sop, people) -> None:
        self.people = people
        self.case = services.start_case(
            sop=sop,
            subject_type="test.item",
            subject_id=next(_subject_ids),
            title="Berita",
            started_by=people["humas"],
        )

    def complete(self, who: str, have=WITH_VIDEO) -> None:
        services.complete_step(
            case_id=self.case.pk,
            step_run_id=open_run(self.case).pk,
            user=self.people[who],
            confirmed=have,
        )

    def decide(self, who: str, branch: str, have=WITH_VIDEO, reason: str = "") -> None:
        services.decide(
            case_id=self.case.pk,
            step_run_id=open_run(self.case).pk,
            user=self.people[who],
            branch=branch,
            reason=reason or "Mohon diperbaiki.",
            confirmed=have,
        )

    def step(self) -> str:
        self.case.refresh_from_db()
        return self.case.current_step

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(step, kind, artifact, person) of every kelengkapan/output deviation, in order."""
        return [
            (d.step_run.step_id, d.kind, d.subject, d.attributed_to.username)
            for d in Deviation.objects.filter(case=self.case)
            .exclude(kind=Deviation.Kind.WAKTU)
            .select_related("step_run", "attributed_to")
            .order_by("step_run__seq", "pk")
        ]

    def to_the_end(self, have=WITH_VIDEO) -> None:
        """From step 2 through the Kasubbag, the Kabag, the order and the upload."""
        self.complete("humas", have)
        self.decide("kasubbag", "setuju", have)
        self.decide("kabag", "izinkan", have)
        self.complete("kasubbag", have)
        self.complete("humas", have)
        self.case.refresh_from_db()
        assert self.case.status == Case.Status.COMPLETED


@pytest.mark.django_db
def test_missing_from_the_start_is_one_record_against_the_writer(humas_sop, people):
    case = Humas(humas_sop, people)
    case.complete("humas", NO_VIDEO)
    case.to_the_end(NO_VIDEO)
    # Twelve records across three people before; now the one fact, where it first went missing.
    assert case.rows() == [("catat", "kelengkapan", "video", "humas")]
    assert not Deviation.objects.filter(attributed_to=people["kasubbag"]).exists()
    assert not Deviation.objects.filter(attributed_to=people["kabag"]).exists()
    # Every step that checked it kept what it found.
    found = [
        run.artifacts_found
        for run in case.case.step_runs.order_by("seq")
        if run.artifacts_found is not None
    ]
    assert len(found) == 6  # every step but the automatic relay
    checked = {"naskah": True, "foto": True, "video": False}
    assert found == [checked] * 5 + [{**checked, "alt_foto": True}]  # alt text: at the upload


@pytest.mark.django_db
def test_provided_at_step_two_adds_nothing(humas_sop, people):
    case = Humas(humas_sop, people)
    case.complete("humas", NO_VIDEO)
    case.to_the_end(WITH_VIDEO)
    assert case.rows() == [("catat", "kelengkapan", "video", "humas")]


@pytest.mark.django_db
def test_present_throughout_records_nothing(humas_sop, people):
    case = Humas(humas_sop, people)
    case.complete("humas", WITH_VIDEO)
    case.to_the_end(WITH_VIDEO)
    assert case.rows() == []


@pytest.mark.django_db
def test_removed_later_is_a_new_fact_where_it_went_missing(humas_sop, people):
    case = Humas(humas_sop, people)
    case.complete("humas", WITH_VIDEO)
    case.complete("humas", WITH_VIDEO)
    # The Kasubbag returns it (a return checks nothing); the writer drops the video in round 1.
    case.decide("kasubbag", "kembalikan", NO_VIDEO)
    assert case.step() == "edit"
    assert case.rows() == []
    case.complete("humas", NO_VIDEO)
    case.decide("kasubbag", "setuju", NO_VIDEO)
    case.decide("kabag", "izinkan", NO_VIDEO)
    assert case.rows() == [("edit", "kelengkapan", "video", "humas")]
    [record] = Deviation.objects.filter(case=case.case)
    assert record.step_run.revision_round == 1


@pytest.mark.django_db
def test_missing_provided_and_missing_again_is_two_facts(humas_sop, people):
    case = Humas(humas_sop, people)
    case.complete("humas", NO_VIDEO)  # fact 1, at step 1
    case.complete("humas", WITH_VIDEO)  # found again at step 2: fact 1 is over
    case.decide("kasubbag", "kembalikan", NO_VIDEO)
    # Another writer takes the revision and finishes it without the video: fact 2.
    services.reassign(
        case_id=case.case.pk,
        step_run_id=open_run(case.case).pk,
        user=people["kasubbag"],
        assignee=people["humas2"],
        reason="Sari cuti.",
    )
    case.complete("humas2", NO_VIDEO)
    case.decide("kasubbag", "setuju", NO_VIDEO)
    assert case.rows() == [
        ("catat", "kelengkapan", "video", "humas"),
        ("edit", "kelengkapan", "video", "humas2"),
    ]


@pytest.mark.django_db
def test_a_revision_loop_does_not_repeat_a_known_fact(humas_sop, people):
    case = Humas(humas_sop, people)
    case.complete("humas", NO_VIDEO)
    for _round in range(3):
        case.complete("humas", NO_VIDEO)
        case.decide("kasubbag", "kembalikan", NO_VIDEO)
    case.to_the_end(NO_VIDEO)
    assert case.rows() == [("catat", "kelengkapan", "video", "humas")]


@pytest.mark.django_db
def test_later_steps_see_the_fact_as_already_known(humas_sop, people):
    case = Humas(humas_sop, people)
    assert known_missing(case.case) == {}
    case.complete("humas", NO_VIDEO)
    case.complete("humas", NO_VIDEO)
    known = known_missing(case.case)
    assert list(known) == ["video"]
    assert known["video"].step_run.step_number == "1"
    case.decide("kasubbag", "kembalikan", NO_VIDEO)
    case.complete("humas", WITH_VIDEO)
    assert known_missing(case.case) == {}


@pytest.mark.django_db
def test_a_late_step_is_still_its_own_deviation(humas_sop, people):
    """The one-fact rule is about artifacts; lateness stays per step."""
    import datetime as dt

    import time_machine

    start = dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)  # Wed 09:00 WIB
    with time_machine.travel(start, tick=False):
        case = Humas(humas_sop, people)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        case.complete("humas", NO_VIDEO)
    kinds = sorted(Deviation.objects.filter(case=case.case).values_list("kind", flat=True))
    assert kinds == ["kelengkapan", "waktu"]
    late = Deviation.objects.get(kind="waktu")
    assert late.detail == "Diselesaikan setelah batas waktu 2 Desember 2026 09:30 WIB."


# --- a step that was to produce the artifact --------------------------------------------------

PRODUCER_SOP = """
format: warta-sop/1
code: TEST.VIDEO-01
identity:
  institution: [Instansi Uji]
  name: SOP Uji Produksi Video
  number: TEST.VIDEO-01
  created: 2025-01-06
  revised: null
  effective: 2025-01-06
  approved_by: {title: Kepala, name: Uji Coba, nip: "197001012000031001"}
legal_basis: [Peraturan uji]
qualifications: [Uji]
equipment: [Kamera]
warnings: [Uji]
recording: [Uji]
roles:
  - {id: penulis, name: Penulis, supervisor: pemeriksa}
  - {id: juru_kamera, name: Juru Kamera, supervisor: pemeriksa}
  - {id: pemeriksa, name: Pemeriksa}
artifacts:
  - {id: naskah, name: Naskah}
  - {id: video, name: Video}
policy: {on_missing: block}
start: tulis
steps:
  - id: tulis
    number: "1"
    name: Tulis naskah
    actor: penulis
    kind: manual
    time: 1h
    output: {text: Naskah dan video, items: [naskah, {artifact: video, on_missing: deviation}]}
    next: rekam
  - id: rekam
    number: "2"
    name: Rekam video
    actor: juru_kamera
    kind: manual
    time: 1h
    kelengkapan: {text: Naskah, items: [naskah]}
    output: {text: Video, items: [{artifact: video, on_missing: deviation}]}
    next: periksa
  - id: periksa
    number: "3"
    name: Periksa
    actor: pemeriksa
    kind: decision
    time: 1h
    question: Lengkap?
    kelengkapan:
      text: Naskah dan video
      items: [naskah, {artifact: video, on_missing: deviation}]
    output:
      text: Naskah dan video
      items: [naskah, {artifact: video, on_missing: deviation}]
    branches:
      - {id: setuju, label: Setuju, next: selesai}
      - {id: ulang, label: Rekam ulang, next: rekam, reason_required: true, revision: true}
  - {id: selesai, kind: end, name: Selesai, result: completed}
"""


@pytest.mark.django_db
def test_a_step_that_was_to_produce_it_records_its_own_once(make_user):
    sop = load_sop(path_or_text=PRODUCER_SOP)
    penulis = make_user("penulis", "penulis")
    kamera = make_user("kamera", "juru_kamera")
    pemeriksa = make_user("pemeriksa", "pemeriksa")
    case = services.start_case(
        sop=sop, subject_type="test.video", subject_id=1, title="Liputan", started_by=penulis
    )

    def act(user, branch: str = "") -> None:
        run = open_run(case)
        if branch:
            services.decide(
                case_id=case.pk,
                step_run_id=run.pk,
                user=user,
                branch=branch,
                reason="Gambar goyang.",
                confirmed=["naskah"],
            )
        else:
            services.complete_step(
                case_id=case.pk, step_run_id=run.pk, user=user, confirmed=["naskah"]
            )

    act(penulis)  # first went missing here: the writer was to produce it
    act(kamera)  # the camera operator was to produce it too: their own record
    act(pemeriksa, "ulang")  # a return checks nothing
    act(kamera)  # the same step again in the same episode: nothing new
    act(pemeriksa, "setuju")  # the checker merely passes it on: nothing new
    rows = list(
        Deviation.objects.filter(case=case)
        .order_by("step_run__seq")
        .values_list("step_run__step_id", "kind", "attributed_to__username", "detail")
    )
    assert rows == [
        ("tulis", "output", "penulis", "Video tidak dihasilkan pada langkah ini."),
        ("rekam", "output", "kamera", "Video tidak dihasilkan pada langkah ini."),
    ]


# --- property: one record per episode ---------------------------------------------------------


def _expected(checks: list[tuple[str, str, bool]]) -> list[tuple[str, str, str, str]]:
    """A row wherever the video went from present (or the start) to missing."""
    rows, previous = [], True
    for step_id, who, present in checks:
        if previous and not present:
            rows.append((step_id, "kelengkapan", "video", who))
        previous = present
    return rows


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=st.booleans(),
    rounds=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=3),
    rest=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_one_record_per_time_the_video_goes_missing(humas_sop, people, first, rounds, rest):
    """Random present/missing at every check, with returns in between: exactly one row each
    time the video went missing, at the step and against the person where it did."""
    with transaction.atomic():
        case = Humas(humas_sop, people)
        checks = [("catat", "humas", first)]
        case.complete("humas", WITH_VIDEO if first else NO_VIDEO)
        for index, (at_edit, at_check) in enumerate(rounds):
            case.complete("humas", WITH_VIDEO if at_edit else NO_VIDEO)
            checks.append(("edit", "humas", at_edit))
            if index == len(rounds) - 1:
                case.decide("kasubbag", "setuju", WITH_VIDEO if at_check else NO_VIDEO)
                checks.append(("periksa", "kasubbag", at_check))
            else:
                case.decide("kasubbag", "kembalikan", NO_VIDEO)  # a return checks nothing
        later = (("izin", "kabag"), ("perintah_unggah", "kasubbag"), ("unggah", "humas"))
        for (step_id, who), present in zip(later, rest, strict=True):
            have = WITH_VIDEO if present else NO_VIDEO
            if step_id == "izin":
                case.decide(who, "izinkan", have)
            else:
                case.complete(who, have)
            checks.append((step_id, who, present))
        assert case.rows() == _expected(checks)
        transaction.set_rollback(True)

"""New cases start while other cases move on: no deadlock between the shared SOP version row and
the audit chain head (on PostgreSQL a case lock that also locked the joined SOP version row made
this fail with "deadlock detected")."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from warta.audit.verify import verify_chain
from warta.workflow import services
from warta.workflow.models import Case

from .helpers import ALL_HUMAS_ARTIFACTS, open_run

ROUNDS = 12


@pytest.mark.django_db(transaction=True)
def test_starting_cases_while_others_move_on_never_deadlocks(humas_sop, make_user):
    authors = [make_user(f"humas{n}", "staf_humas") for n in range(4)]
    checkers = [make_user(f"kasubbag{n}", "kasubbag_umum_rt") for n in range(4)]
    moving = []
    for n, author in enumerate(authors):
        case = services.start_case(
            sop=humas_sop, subject_type="t", subject_id=f"m{n}", title="Berita", started_by=author
        )
        for _step in range(2):
            services.complete_step(
                case_id=case.pk,
                step_run_id=open_run(case).pk,
                user=author,
                confirmed=ALL_HUMAS_ARTIFACTS,
            )
        moving.append(case)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(authors) * 2)

    def start_new(n: int) -> None:
        barrier.wait(timeout=30)
        for i in range(ROUNDS):
            services.start_case(
                sop=humas_sop,
                subject_type="t",
                subject_id=f"s{n}-{i}",
                title="Berita",
                started_by=authors[n],
            )

    def move_on(n: int) -> None:
        """Return the draft and submit it again, over and over (each a case transition)."""
        case = moving[n]
        barrier.wait(timeout=30)
        for _i in range(ROUNDS // 2):
            services.decide(
                case_id=case.pk,
                step_run_id=open_run(case).pk,
                user=checkers[n],
                branch="kembalikan",
                reason="Perbaiki.",
            )
            services.complete_step(
                case_id=case.pk,
                step_run_id=open_run(case).pk,
                user=authors[n],
                confirmed=ALL_HUMAS_ARTIFACTS,
            )

    def run(job, n: int) -> None:
        try:
            job(n)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(job, n))
        for n in range(len(authors))
        for job in (start_new, move_on)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert Case.objects.count() == len(authors) * (ROUNDS + 1)
    for case in moving:
        case.refresh_from_db()
        assert case.revision_round == ROUNDS // 2
    assert list(verify_chain()) == []

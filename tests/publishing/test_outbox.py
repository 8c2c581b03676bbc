"""The publishing outbox, in one process: what ``publish`` writes, and every way an attempt at
an API account can end — success, busy (retried, then given up), refused, the answer lost
(reconciled with the platform before anything is sent again), no way to check (a person
decides), a worker that died (the lease watchdog) — always ending with at most one post on
the platform.

The platform is the test one (``fakeplatform``); the worker is django-tasks-db's own
``db_worker`` loop, run in this process until no task is due.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.newsroom.conftest import open_run
from tests.publishing import fakeplatform
from tests.publishing.fakekit import Reply
from tests.publishing.fakeplatform import BUSY, LOST, OK, REFUSED, UNSENT, BoardServer
from tests.publishing.test_services import at_upload
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.newsroom.models import NewsItem
from warta.notify.models import Notification
from warta.publishing import services as publishing
from warta.publishing import tasks
from warta.publishing.models import ChannelAccount, Publication
from warta.publishing.post_urls import InvalidPostUrl
from warta.publishing.posts import build_post, post_key

State = Publication.State
RUN = "warta.publishing.tasks.run_publication"
RECONCILE = "warta.publishing.tasks.reconcile_publication"
WATCHDOG = "warta.publishing.tasks.check_publication"


# --- fixtures and helpers ---------------------------------------------------------------------
@pytest.fixture
def board(monkeypatch):
    """The test platform's fake server, its connectors registered in this process."""
    monkeypatch.setenv("WARTA_EXTRA_PLATFORMS", fakeplatform.EXTRA_PLATFORMS)
    server = BoardServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _quick_retries(settings):
    settings.WARTA_PUBLISH_RETRY_SECONDS = 0
    settings.WARTA_PUBLISH_MAX_ATTEMPTS = 3
    settings.WARTA_PUBLISH_TIMEOUT = 10


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch):
    """The worker loop checks for stale connections between tasks; here every task runs
    inside the test's transaction, which that check would take for a broken connection."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def drain() -> None:
    """Run the worker until no task is due (as ``warta worker`` would, once)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def task_rows(path: str, publication: Publication):
    return DBTaskResult.objects.filter(task_path=path, args_kwargs__args=[publication.pk])


def item_at_upload(people, new_item, server: BoardServer, *, platform=fakeplatform.BOARD, also=()):
    """An item at the upload step targeting the website and an account of ``platform``."""
    account = fakeplatform.make_account(server, code=platform, platform=platform)
    item = at_upload(people, new_item, channels=("website", account.code, *also))
    return item, account


def start(people, item) -> Publication:
    """Publish ``item`` as Staf Humas; the publication of the test platform's account."""
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    return Publication.objects.exclude(channel="website").get(item=item)


def reload(item) -> NewsItem:
    return NewsItem.objects.select_related("case").get(pk=item.pk)


def step_open(item) -> bool:
    item = reload(item)
    return item.case.status != "completed" and open_run(item).step_id == "unggah"


def step_done(item) -> bool:
    item = reload(item)
    return item.case.status == "completed" and item.case.end_state == "terunggah"


def events(action: str, publication: Publication) -> list[Event]:
    return list(
        Event.objects.filter(
            action=action, object_type=publishing.OBJECT_TYPE, object_id=str(publication.pk)
        ).order_by("seq")
    )


def the_one_post(server: BoardServer, publication: Publication):
    posts = server.posts_for(post_key(publication.item_id, publication.account))
    assert len(posts) == 1, posts
    return posts[0]


# --- what publish writes ----------------------------------------------------------------------
@pytest.mark.django_db
def test_publish_writes_the_records_and_their_task_in_one_transaction(people, new_item, board):
    item, _account = item_at_upload(people, new_item, board)
    with transaction.atomic():
        publication = start(people, item)
        assert publication.state == State.QUEUED
        assert publication.caption.startswith(item.title)
        assert task_rows(RUN, publication).count() == 1
        transaction.set_rollback(True)
    assert not Publication.objects.filter(item=item).exists()
    assert not DBTaskResult.objects.filter(task_path=RUN).exists()
    assert step_open(item)
    assert board.creates() == []

    publication = start(people, item)
    (row,) = task_rows(RUN, publication)
    assert row.status == "READY"
    assert step_open(item)  # the website is live, the API account not yet
    drain()
    publication.refresh_from_db()
    post = the_one_post(board, publication)
    assert (publication.state, publication.external_id) == (State.PUBLISHED, str(post.id))
    assert publication.url == board.post_url(post.id)
    assert publication.attempts == 1
    assert post.caption == publication.caption
    assert step_done(item)
    assert [e.after["external_id"] for e in events(publishing.RECORDED_ACTION, publication)] == [
        str(post.id)
    ]
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_the_step_waits_for_every_account(people, new_item, board):
    other = fakeplatform.make_account(board, code="papan-unit", name="Papan Unit")
    item, account = item_at_upload(people, new_item, board, also=(other.code,))
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    first = Publication.objects.get(item=item, account=account)
    second = Publication.objects.get(item=item, account=other)
    publishing.claim(second.pk)  # taken by a worker that then stops answering
    drain()
    assert Publication.objects.get(pk=first.pk).state == State.PUBLISHED
    assert Publication.objects.get(pk=second.pk).state == State.PUBLISHING
    assert step_open(item)
    assert tasks.run_publication.call(second.pk) == "nothing to do"  # taken: left alone
    assert len(board.creates()) == 1 and step_open(item)
    Publication.objects.filter(pk=second.pk).update(lease_until=timezone.now())
    tasks.check_publication.call(second.pk)
    drain()
    assert Publication.objects.get(pk=second.pk).state == State.PUBLISHED
    assert len(board.creates()) == 2
    assert step_done(item)
    published = Event.objects.get(action=publishing.PUBLISHED_ACTION)
    assert set(published.after["channels"]) == {"website", account.code, other.code}


# --- busy: retried after the back-off, given up after the last attempt -------------------------
@pytest.mark.django_db
def test_a_busy_platform_is_asked_again_no_sooner_than_it_said(people, new_item, board, settings):
    settings.WARTA_PUBLISH_RETRY_SECONDS = 5
    board.retry_after = 120
    board.script(BUSY)
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    before = timezone.now()
    drain()
    publication.refresh_from_db()
    assert (publication.state, publication.attempts) == (State.QUEUED, 1)
    assert publication.last_error == "sedang sibuk"
    again = task_rows(RUN, publication).filter(status="READY").get()
    assert again.run_after >= before + dt.timedelta(seconds=119)
    assert board.posts == {} and step_open(item)

    board.retry_after = 0
    board.script(BUSY)
    tasks.run_publication.call(publication.pk)  # the retry, when it is due
    publication.refresh_from_db()
    assert (publication.state, publication.attempts) == (State.QUEUED, 2)
    latest = task_rows(RUN, publication).filter(status="READY").order_by("-enqueued_at").first()
    # No Retry-After: the own back-off, doubled for the second attempt (5 s × 2).
    assert latest.run_after >= timezone.now() + dt.timedelta(seconds=9)


@pytest.mark.django_db
def test_after_the_last_attempt_the_publication_fails_and_the_requester_is_told(
    people, new_item, board
):
    board.script(BUSY, BUSY, BUSY)
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    drain()
    publication.refresh_from_db()
    assert (publication.state, publication.attempts) == (State.FAILED, 3)
    assert "3" in publication.advice
    assert len(board.creates()) == 3 and board.posts == {}
    assert step_open(item)
    note = Notification.objects.get(recipient=people["humas"], kind="publication_failed")
    assert "Papan Uji" in note.title and note.url == f"/kerja/berita/{item.pk}/"
    assert len(events(publishing.FAILED_ACTION, publication)) == 1

    publishing.retry(publication_id=publication.pk, user=people["humas"])  # a person retries
    drain()
    publication.refresh_from_db()
    assert publication.state == State.PUBLISHED
    assert publication.external_id == str(the_one_post(board, publication).id)
    assert step_done(item)


# --- refused ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_refusal_fails_with_advice_and_the_step_stays_open(people, new_item, board):
    board.script(REFUSED)
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    drain()
    publication.refresh_from_db()
    assert (publication.state, publication.attempts) == (State.FAILED, 1)
    assert publication.last_error == "unggahan ditolak"
    assert publication.advice == fakeplatform.REFUSED_ADVICE
    assert len(board.creates()) == 1 and board.posts == {}
    assert step_open(item)
    assert not Event.objects.filter(action=publishing.PUBLISHED_ACTION).exists()
    assert Notification.objects.filter(recipient=people["humas"]).exists()
    drain()  # nothing more happens by itself
    assert len(board.creates()) == 1 and step_open(item)


# --- the answer lost: reconciliation first ----------------------------------------------------
@pytest.mark.django_db
def test_a_lost_answer_is_reconciled_to_the_post_already_made(people, new_item, board):
    board.script(LOST)
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    tasks.run_publication.call(publication.pk)
    publication.refresh_from_db()
    assert publication.state == State.NEEDS_CHECK
    assert publication.advice
    assert task_rows(RECONCILE, publication).count() == 1
    made = the_one_post(board, publication)
    drain()
    publication.refresh_from_db()
    assert (publication.state, publication.external_id) == (State.PUBLISHED, str(made.id))
    assert publication.url == board.post_url(made.id)
    assert the_one_post(board, publication).id == made.id
    assert len(board.creates()) == 1  # never sent a second time
    assert len(events(publishing.CHECK_ACTION, publication)) == 1
    assert step_done(item)
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_a_lost_request_that_made_nothing_is_sent_again_once(people, new_item, board):
    board.script(UNSENT)
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    drain()
    publication.refresh_from_db()
    post = the_one_post(board, publication)
    assert (publication.state, publication.external_id) == (State.PUBLISHED, str(post.id))
    assert (publication.attempts, len(board.creates())) == (2, 2)
    assert len(events(publishing.CHECK_ACTION, publication)) == 1
    (retried,) = events(publishing.RETRIED_ACTION, publication)
    assert retried.after["found"] is False
    assert step_done(item)


@pytest.mark.django_db
def test_reconciliation_asks_again_when_the_platform_is_busy(people, new_item, board):
    board.script(LOST)
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    tasks.run_publication.call(publication.pk)
    board.fake.fail_next("GET", fakeplatform.POSTS, Reply(503, {"error": "sibuk"}))
    drain()
    publication.refresh_from_db()
    assert publication.state == State.PUBLISHED
    assert publication.external_id == str(the_one_post(board, publication).id)
    assert len(board.fake.requests("GET", fakeplatform.POSTS)) == 2
    assert len(board.creates()) == 1


# --- no way to check: a person decides ----------------------------------------------------------
@pytest.mark.django_db
def test_when_the_platform_cannot_check_a_person_records_the_post(people, new_item, board):
    board.script(LOST)
    item, _account = item_at_upload(people, new_item, board, platform=fakeplatform.BLIND_BOARD)
    publication = start(people, item)
    drain()
    publication.refresh_from_db()
    assert publication.state == State.NEEDS_CHECK
    assert publication.advice == _(
        "Look on the platform whether the post exists. If it does, record its address; if it "
        "does not, send it again."
    )
    assert "Papan Buta" in publication.last_error
    assert Notification.objects.filter(
        recipient=people["humas"], kind="publication_failed", title__contains="Papan Buta"
    ).exists()
    made = the_one_post(board, publication)
    drain()
    assert len(board.creates()) == 1 and step_open(item)  # waits for the person

    with pytest.raises(InvalidPostUrl):  # not an address of that platform
        publishing.record_manual(
            publication_id=publication.pk, user=people["humas"], url="https://x.com/a/status/1"
        )
    assert Publication.objects.get(pk=publication.pk).state == State.NEEDS_CHECK
    publishing.record_manual(
        publication_id=publication.pk, user=people["humas"], url=board.post_url(made.id)
    )
    publication.refresh_from_db()
    assert (publication.state, publication.url) == (State.PUBLISHED, board.post_url(made.id))
    assert publication.published_by == people["humas"]
    assert step_done(item)
    assert len(board.creates()) == 1


@pytest.mark.django_db
def test_when_the_platform_cannot_check_a_person_sends_it_again(people, new_item, board):
    board.script(UNSENT)
    item, _account = item_at_upload(people, new_item, board, platform=fakeplatform.BLIND_BOARD)
    publication = start(people, item)
    drain()
    publication.refresh_from_db()
    assert publication.state == State.NEEDS_CHECK and board.posts == {}
    publishing.retry(publication_id=publication.pk, user=people["humas"])
    (retried,) = events(publishing.RETRIED_ACTION, publication)
    assert retried.actor_id == people["humas"].pk
    drain()
    publication.refresh_from_db()
    assert publication.state == State.PUBLISHED
    assert publication.external_id == str(the_one_post(board, publication).id)
    assert step_done(item)


# --- a worker that died: the lease watchdog ---------------------------------------------------
@pytest.mark.django_db
def test_an_expired_lease_goes_to_needs_check_and_is_reconciled(people, new_item, board):
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    claimed = publishing.claim(publication.pk)  # a worker took it …
    assert claimed is not None and claimed.state == State.PUBLISHING
    (watchdog,) = task_rows(WATCHDOG, publication)
    assert watchdog.run_after == claimed.lease_until
    assert tasks.check_publication.call(publication.pk) == "fine"  # … and is still in time
    assert Publication.objects.get(pk=publication.pk).state == State.PUBLISHING
    assert task_rows(WATCHDOG, publication).count() == 2  # looked at again at the lease's end

    # … then died: the lease runs out with nothing recorded.
    Publication.objects.filter(pk=publication.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    assert tasks.check_publication.call(publication.pk) == "needs check"
    publication.refresh_from_db()
    assert publication.state == State.NEEDS_CHECK
    assert len(events(publishing.CHECK_ACTION, publication)) == 1
    assert tasks.check_publication.call(publication.pk) == "fine"  # once only
    drain()  # reconciliation: nothing there, so it is sent (once)
    publication.refresh_from_db()
    assert publication.state == State.PUBLISHED
    assert publication.external_id == str(the_one_post(board, publication).id)
    assert step_done(item)


@pytest.mark.django_db
def test_an_expired_lease_after_the_platform_acted_finds_the_post(people, new_item, board):
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    publishing.claim(publication.pk)
    # The worker sent the post and died before recording it.
    made = tasks.platform_for(publication).publish(build_post(publication))
    Publication.objects.filter(pk=publication.pk).update(
        lease_until=timezone.now() - dt.timedelta(seconds=1)
    )
    tasks.check_publication.call(publication.pk)
    drain()
    publication.refresh_from_db()
    assert (publication.state, publication.external_id) == (State.PUBLISHED, made.external_id)
    assert len(board.creates()) == 1
    assert step_done(item)


# --- a task enqueued twice --------------------------------------------------------------------
@pytest.mark.django_db
def test_a_duplicate_task_does_not_post_twice(people, new_item, board):
    item, _account = item_at_upload(people, new_item, board)
    publication = start(people, item)
    publishing.enqueue(publication)
    publishing.enqueue(publication)
    assert task_rows(RUN, publication).count() == 3
    drain()
    publication.refresh_from_db()
    assert publication.state == State.PUBLISHED
    the_one_post(board, publication)
    assert len(board.creates()) == 1 and publication.attempts == 1
    results = sorted(task_rows(RUN, publication).values_list("return_value", flat=True))
    assert results == ["nothing to do", "nothing to do", "published"]
    assert step_done(item)


# --- an account used by hand --------------------------------------------------------------------
@pytest.mark.django_db
def test_a_manual_account_waits_for_a_checked_address(people, new_item):
    item = at_upload(people, new_item, channels=("website", "instagram"))
    assert ChannelAccount.objects.get(code="instagram").mode == ChannelAccount.Mode.MANUAL
    publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
    publication = Publication.objects.get(item=item, channel="instagram")
    assert publication.state == State.NEEDS_MANUAL
    assert not task_rows(RUN, publication).exists()
    assert step_open(item)

    events_before = Event.objects.count()
    with pytest.raises(InvalidPostUrl):
        publishing.record_manual(
            publication_id=publication.pk,
            user=people["humas"],
            url="https://x.com/humas/status/123",
        )
    publication.refresh_from_db()
    assert (publication.state, publication.url) == (State.NEEDS_MANUAL, "")
    assert Event.objects.count() == events_before and step_open(item)

    publishing.record_manual(
        publication_id=publication.pk,
        user=people["humas2"],
        url="https://www.instagram.com/p/CxYz123/",
    )
    publication.refresh_from_db()
    assert publication.state == State.PUBLISHED
    assert publication.url == "https://www.instagram.com/p/CxYz123/"
    assert publication.published_by == people["humas2"]
    assert step_done(item)
    with pytest.raises(publishing.PublishingError):  # recorded once
        publishing.record_manual(
            publication_id=publication.pk,
            user=people["humas"],
            url="https://www.instagram.com/p/Other/",
        )
    assert list(verify_chain()) == []


# --- any sequence of answers: never two posts ---------------------------------------------------
ANSWERS = st.lists(st.sampled_from([OK, BUSY, LOST, UNSENT]), min_size=1, max_size=6)


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(answers=ANSWERS, busy_checks=st.integers(min_value=0, max_value=2))
def test_any_sequence_of_answers_ends_with_at_most_one_post(
    people, new_item, board, answers, busy_checks
):
    if not hasattr(board, "item"):  # one item per test; each example is rolled back
        board.item, _account = item_at_upload(people, new_item, board)
    item = board.item
    board.reset()
    board.script(*answers)
    for _check in range(busy_checks):
        board.fake.fail_next("GET", fakeplatform.POSTS, Reply(503, {"error": "sibuk"}))
    with transaction.atomic():
        publication = start(people, item)
        for _round in range(20):
            drain()
            publication.refresh_from_db()
            if publication.state != State.QUEUED:
                break
        posts = board.posts_for(post_key(item.pk, publication.account))
        assert publication.state in (State.PUBLISHED, State.FAILED), publication.state
        if publication.state == State.PUBLISHED:
            assert [str(p.id) for p in posts] == [publication.external_id]
            assert step_done(item)
        else:
            # Given up only after answers that made nothing (busy, or lost and not found),
            # as many as the attempts allowed.
            assert posts == []
            assert publication.attempts == settings.WARTA_PUBLISH_MAX_ATTEMPTS
            made_nothing = [a for a in answers[: publication.attempts] if a in (BUSY, UNSENT)]
            assert len(made_nothing) == publication.attempts
            assert step_open(item)
        # Sent again only after an answer that made nothing (busy, or lost and not found).
        sent = len(board.creates())
        assert sent - len(posts) == sum(1 for a in answers[:sent] if a in (BUSY, UNSENT))
        transaction.set_rollback(True)

"""Exactly once, with a real worker killed (SIGKILL) at each dangerous moment of an attempt:

- ``before_call``: the attempt is claimed (committed), nothing has been sent;
- ``accepted``: the platform made the post, its answer is still on the way (the fake holds
  it), Warta has recorded nothing;
- ``after_record``: the post is made and recorded, the task has not finished.

A fresh worker then finishes the job: the lease runs out, the watchdog moves the record to
``needs_check``, reconciliation asks the platform, and only what is missing is sent. Each time
the platform holds exactly one post and the publication carries that post's id.

The worker is ``warta worker`` in a subprocess on the test database; the test platform
(``fakeplatform``) reaches it through ``WARTA_EXTRA_PLATFORMS`` with the project root on
``PYTHONPATH``. Failpoints: ``warta.publishing.failpoints`` (``WARTA_FAILPOINTS_DIR``).
Docs followed: django-tasks-db's ``db_worker`` options
(https://github.com/RealOrangeOne/django-tasks-db), Python's ``subprocess.Popen`` and
``os.kill`` (https://docs.python.org/3/library/subprocess.html).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.newsroom.conftest import open_run
from tests.publishing import fakeplatform
from tests.publishing.fakeplatform import BoardServer
from tests.publishing.test_services import at_upload
from warta.audit.models import Event
from warta.audit.verify import verify_chain
from warta.newsroom.models import NewsItem
from warta.publishing import failpoints
from warta.publishing import services as publishing
from warta.publishing.models import ChannelAccount, Publication
from warta.publishing.posts import post_key
from warta.publishing.secrets import new_key

ROOT = Path(__file__).resolve().parents[2]
WARTA = Path(sys.executable).parent / "warta"
ACCEPTED = "accepted"  # not a failpoint: the fake holds the answer to the create
POINTS = (failpoints.BEFORE_CALL, ACCEPTED, failpoints.AFTER_RECORD)
TIMEOUT = 40.0  # generous: a slow machine, never a reason to fail
PUBLISHING_TASKS = (
    "warta.publishing.tasks.run_publication",
    "warta.publishing.tasks.check_publication",
    "warta.publishing.tasks.reconcile_publication",
)


def wait_for(condition: Callable[[], bool], what: str, *, log: Callable[[], str] = str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{log()}")


def database_url() -> str:
    """The test database (not the configured one) as a WARTA_DATABASE_URL."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    configured = os.environ["WARTA_DATABASE_URL"]
    return configured.split("?", 1)[0].rsplit("/", 1)[0] + f"/{name}"


class Worker:
    """``warta worker`` in a subprocess, on the test database, with the failpoints on."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> Worker:
        self.process = subprocess.Popen(
            [
                str(WARTA),
                "worker",
                "--queue-name",
                "default",
                "--interval",
                "0.1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
        )
        return self

    def kill(self, pid: int) -> None:
        assert self.process is not None and pid == self.process.pid, (pid, self.log())
        os.kill(pid, signal.SIGKILL)
        assert self.process.wait(timeout=TIMEOUT) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-6000:] if self.log_path.exists() else ""


@pytest.fixture
def board(monkeypatch):
    monkeypatch.setenv("WARTA_EXTRA_PLATFORMS", fakeplatform.EXTRA_PLATFORMS)
    server = BoardServer().start()
    yield server
    server.stop()


@pytest.fixture
def worker_env(settings, tmp_path) -> dict[str, str]:
    """What a worker needs to share this test's database and credentials key."""
    key = new_key()
    settings.WARTA_CHANNEL_KEYS = [key]
    failpoint_dir = tmp_path / "failpoints"
    failpoint_dir.mkdir()
    env = {
        **os.environ,
        "WARTA_DATABASE_URL": database_url(),
        "WARTA_DATA_DIR": str(settings.DATA_DIR),
        "WARTA_SECRET_KEY": settings.SECRET_KEY,
        "WARTA_CHANNEL_KEY": key,
        "WARTA_EXTRA_PLATFORMS": fakeplatform.EXTRA_PLATFORMS,
        "WARTA_FAILPOINTS_DIR": str(failpoint_dir),
        "WARTA_PUBLISH_LEASE_SECONDS": "2",
        "WARTA_PUBLISH_RETRY_SECONDS": "0.2",
        "WARTA_PUBLISH_TIMEOUT": "30",
        "WARTA_DEBUG": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def pending_tasks(publication: Publication, *, dead: set) -> bool:
    """Whether a publishing task for ``publication`` is still due or running (other than those
    of the killed worker, which stay "running" for good)."""
    return (
        DBTaskResult.objects.filter(
            task_path__in=PUBLISHING_TASKS,
            args_kwargs__args=[publication.pk],
            status__in=("READY", "RUNNING"),
        )
        .exclude(pk__in=dead)
        .exists()
    )


# Transactional: the worker is another process and sees only what is committed.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("point", POINTS)
def test_a_worker_killed_mid_attempt_leaves_exactly_one_post(
    people, new_item, board, worker_env, tmp_path, point
):
    # A transactional test starts from an emptied database: the website account again.
    ChannelAccount.objects.get_or_create(
        code="website", defaults={"name": "Situs web", "platform": "website", "mode": "api"}
    )
    account = fakeplatform.make_account(board)
    item = at_upload(people, new_item, channels=("website", account.code))
    failpoint_dir = Path(worker_env["WARTA_FAILPOINTS_DIR"])
    arm = failpoint_dir / f"{point}.arm"
    reached = failpoint_dir / f"{point}.reached"
    if point == ACCEPTED:
        handled, release = board.hold_next_create()
    else:
        arm.write_text("")

    first = Worker(worker_env, tmp_path / "worker-1.log").start()
    second = Worker(worker_env, tmp_path / "worker-2.log")
    try:
        publishing.publish(item_id=item.pk, step_run_id=open_run(item).pk, user=people["humas"])
        publication = Publication.objects.get(item=item, account=account)

        # The first worker gets to the point, and dies there.
        if point == ACCEPTED:
            wait_for(handled.is_set, "the platform to make the post", log=first.log)
            pid = first.process.pid
        else:
            wait_for(reached.exists, f"the worker to reach {point}", log=first.log)
            pid = int(reached.read_text())
        first.kill(pid)
        arm.unlink(missing_ok=True)
        dead = set(DBTaskResult.objects.filter(status="RUNNING").values_list("pk", flat=True))
        if point == ACCEPTED:
            release.set()  # the answer goes nowhere: its client is gone
        publication.refresh_from_db()
        assert publication.state == (
            Publication.State.PUBLISHED
            if point == failpoints.AFTER_RECORD
            else Publication.State.PUBLISHING
        )

        # A fresh worker finishes the job.
        second.start()

        def settled() -> bool:
            assert second.alive(), second.log()
            publication.refresh_from_db()
            return publication.state == Publication.State.PUBLISHED and not pending_tasks(
                publication, dead=dead
            )

        wait_for(settled, "the publication to settle", log=second.log)
    finally:
        first.stop()
        second.stop()
        arm.unlink(missing_ok=True)

    posts = board.posts_for(post_key(item.pk, account))
    assert len(posts) == 1, posts
    assert publication.external_id == str(posts[0].id)
    assert publication.url == board.post_url(posts[0].id)

    def actions(action: str) -> list[Event]:
        return list(
            Event.objects.filter(
                action=action, object_type=publishing.OBJECT_TYPE, object_id=str(publication.pk)
            )
        )

    checks = actions(publishing.CHECK_ACTION)
    retried = actions(publishing.RETRIED_ACTION)
    if point == failpoints.BEFORE_CALL:
        # Unknown to Warta, so checked; the platform had nothing, so sent (once).
        assert len(checks) == 1 and [e.after["found"] for e in retried] == [False]
        assert len(board.creates()) == 1 and publication.attempts == 2
    elif point == ACCEPTED:
        # Checked, and the post found: recorded without sending again.
        assert len(checks) == 1 and retried == []
        assert len(board.creates()) == 1 and publication.attempts == 1
        assert len(board.fake.requests("GET", fakeplatform.POSTS)) == 1
    else:
        # Recorded before the worker died: nothing to check, nothing sent again.
        assert checks == [] and retried == []
        assert len(board.creates()) == 1 and publication.attempts == 1
    assert len(actions(publishing.RECORDED_ACTION)) == 1
    item = NewsItem.objects.select_related("case").get(pk=item.pk)
    assert (item.case.status, item.case.end_state) == ("completed", "terunggah")
    assert list(verify_chain()) == []

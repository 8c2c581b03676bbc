"""Twenty people work through the whole SOP at once, over HTTP, against the real web server.

The server is waitress (several threads) in a subprocess, on a database of its own — a SQLite
file, or a fresh PostgreSQL database when the suite runs on PostgreSQL. Twelve Staf Humas each
take an item from the coverage note to publication while four Kasubbag and four Kabag race to
decide the same steps. Nothing may answer 5xx, every race is decided exactly once (the others get
409 and "sudah diproses"), every item ends where its actions say, no autosaved text is lost,
and the audit chain verifies.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import dj_database_url
import pytest

from tests.live_server import (
    Browser,
    free_port,
    multipart,
    new_item_fields,
    png_bytes,
    postgres_database,
    wait_for_port,
)

PASSWORD = "sandi-uji-Bersama-2026"
AUTHORS = [f"humas{n:02d}" for n in range(1, 13)]
CHECKERS = [f"kasubbag{n}" for n in range(1, 5)]
PERMITTERS = [f"kabag{n}" for n in range(1, 5)]
ROLES = {
    **dict.fromkeys(AUTHORS, "staf_humas"),
    **dict.fromkeys(CHECKERS, "kasubbag_umum_rt"),
    **dict.fromkeys(PERMITTERS, "kabag_adm_umum"),
}
THREADS = 8
BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from warta.accounts.services import grant_role

call_command("migrate", interactive=False, verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
call_command("sop", "load", "--shipped", verbosity=0)
password = make_password(sys.argv[2])
for username, role in json.loads(sys.argv[1]).items():
    user = get_user_model().objects.create(
        username=username, first_name=username.title(), email="", password=password
    )
    grant_role(user=user, role_code=role)
"""

DUMP = """
import json
import django
django.setup()
from warta.audit.models import Event
from warta.newsroom.models import NewsItem

items = {}
for item in NewsItem.objects.select_related("case"):
    runs = item.case.step_runs.select_related("finished_by", "assignee").order_by("seq")
    items[item.title] = {
        "status": item.case.status,
        "end": item.case.end_state,
        "body": item.body,
        "published": item.published_at is not None,
        "runs": [
            [r.step_id, r.outcome, r.finished_by.username if r.finished_by else None,
             r.assignee.username if r.assignee else None]
            for r in runs
        ],
    }
actions = {}
for action in Event.objects.values_list("action", flat=True):
    actions[action] = actions.get(action, 0) + 1
print(json.dumps({"items": items, "actions": actions}))
"""


@dataclass
class Server:
    env: dict[str, str]
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    def manage(self, *args: str, script: str = "", timeout: float = 300) -> str:
        command = [sys.executable, "-c", script, *args] if script else [str(BIN / "warta"), *args]
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    @property
    def sqlite(self) -> bool:
        return "WARTA_DATABASE_URL" not in self.env

    @property
    def lock_log(self) -> Path:
        return Path(self.env["WARTA_DATA_DIR"]) / "lock-times.tsv"

    def lock_times(self) -> list[tuple[float, float, str]]:
        """(waited, held, what) of every SQLite write transaction the server ran."""
        if not self.lock_log.exists():
            return []
        rows = [line.split("\t") for line in self.lock_log.read_text().splitlines()]
        return [(float(wait), float(held), f"{what} {path}") for wait, held, what, path in rows]

    def start(self) -> None:
        self.port = free_port()
        self.log_path = Path(self.env["WARTA_DATA_DIR"]) / "waitress.log"
        app = "warta.config.wsgi:application"
        if self.sqlite:  # the same application, timing the database write lock
            app = "tests.lock_timing_wsgi:application"
            self.env["WARTA_TEST_LOCK_LOG"] = str(self.lock_log)
            self.env["PYTHONPATH"] = os.pathsep.join(
                filter(None, [str(ROOT), self.env.get("PYTHONPATH", "")])
            )
        self.process = subprocess.Popen(
            [
                str(BIN / "waitress-serve"),
                f"--threads={THREADS}",
                f"--listen=127.0.0.1:{self.port}",
                app,
            ],
            env=self.env,
            stdout=self.log_path.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path else ""


@pytest.fixture
def server():
    """A set-up Warta with the twenty people, on the suite's kind of database."""
    suite_url = os.environ.get("WARTA_DATABASE_URL", "")
    data_dir = Path(tempfile.mkdtemp(prefix="warta-users-"))
    env = {
        **os.environ,
        "WARTA_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "warta.config.settings",
    }
    env.pop("WARTA_DATABASE_URL", None)
    pg_name = ""
    if suite_url.startswith("postgres"):
        base = dj_database_url.parse(suite_url)["NAME"] or "warta"
        pg_name = f"{base}_users_{os.getpid()}"
        postgres_database(suite_url, pg_name, create=True)
        env["WARTA_DATABASE_URL"] = suite_url.rsplit("/", 1)[0] + "/" + pg_name
    running = Server(env)
    try:
        running.manage(json.dumps(ROLES), PASSWORD, script=SETUP)
        running.start()
        yield running
    finally:
        running.stop()
        if pg_name:
            postgres_database(suite_url, pg_name, create=False)


@dataclass
class Record:
    """Every response the people got, and how long each write took."""

    statuses: list[tuple[str, str, int]] = field(default_factory=list)
    writes: list[tuple[str, float]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, method: str, path: str, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses.append((method, path, status))
            if method == "POST":
                self.writes.append((path, seconds))


class Person:
    def __init__(self, username: str, port: int, record: Record) -> None:
        self.username = username
        self.browser = Browser(port)
        self.record = record

    def log_in(self) -> None:
        """Sign in through /masuk/ (hashing the password is slow by design: a long timeout)."""
        page = self.browser.request("GET", "/masuk/", timeout=120)
        form = {"csrfmiddlewaretoken": _token(page), "username": self.username}
        response = self.browser.request(
            "POST",
            "/masuk/",
            body=urlencode({**form, "password": PASSWORD}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=120,
        )
        assert response.status == 302, (response.status, response.text[:1000])

    def get(self, path: str):
        started = time.monotonic()
        response = self.browser.request("GET", path, timeout=60)
        self.record.add("GET", path, response.status, time.monotonic() - started)
        return response

    def post(self, path: str, fields: dict[str, str], token: str, files=None):
        data = {"csrfmiddlewaretoken": token, **fields}
        if files:
            content_type, body = multipart(data, files)
        else:
            content_type, body = "application/x-www-form-urlencoded", urlencode(data).encode()
        started = time.monotonic()
        response = self.browser.request(
            "POST", path, body=body, headers={"Content-Type": content_type}, timeout=60
        )
        self.record.add("POST", path, response.status, time.monotonic() - started)
        return response


def _token(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _step_run(page) -> str:
    match = re.search(r'name="step_run" value="(\d+)"', page.text)
    assert match, page.text[:2000]
    return match.group(1)


def _item_page(person: Person, item_id: int):
    page = person.get(f"/kerja/berita/{item_id}/")
    assert page.status == 200, (page.status, page.text[:500])
    return page


def _act(person: Person, item_id: int, **fields: str) -> None:
    page = _item_page(person, item_id)
    response = person.post(
        f"/kerja/berita/{item_id}/aksi/",
        {"step_run": _step_run(page), **fields},
        _token(page),
    )
    assert response.status == 302, (person.username, fields, response.status, response.text[:800])


def _edit(author: Person, item_id: int, marker: str) -> str:
    """Autosave the body three times like the editor does; returns the last text saved."""
    page = author.get(f"/kerja/berita/{item_id}/sunting/")
    assert page.status == 200, page.status
    version = int(re.search(r'name="base_version" value="(\d+)"', page.text).group(1))
    body = ""
    for n in range(3):
        body = f"<p>{marker} versi {n}</p>"
        response = author.post(
            f"/kerja/berita/{item_id}/simpan-otomatis/",
            {"body": body, "base_version": str(version)},
            _token(page),
        )
        assert response.status == 200, (response.status, response.text[:500])
        version = json.loads(response.body)["version"]
    return body


def _submit_draft(author: Person, item_id: int, body: str, *, lands: str) -> None:
    """Save and hand over the note or draft from the editor ("submit")."""
    page = author.get(f"/kerja/berita/{item_id}/sunting/")
    assert page.status == 200, page.status
    version = re.search(r'name="base_version" value="(\d+)"', page.text).group(1)
    fields = {
        **new_item_fields(f"Berita uji {author.username}"),
        "body": body,
        "base_version": version,
        "submit": "1",
        # Every photo described for readers who cannot see it (the upload step requires it).
        **{
            f"alt-{asset_id}": f"Foto kegiatan {author.username}"
            for asset_id in re.findall(r'name="alt-(\d+)"', page.text)
        },
    }
    response = author.post(f"/kerja/berita/{item_id}/sunting/", fields, _token(page))
    assert response.status == 302, (response.status, response.text[:1500])
    assert response.headers["Location"].endswith(f"/kerja/berita/{item_id}/{lands}")


@dataclass
class Race:
    """Several people decide the same open step at the same moment."""

    item_id: int
    outcomes: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def winner(self) -> str:
        [name] = [n for n, (status, _text) in self.outcomes.items() if status == 302]
        return name


def _race(people: list[Person], item_id: int, branch: str, reason: str = "") -> Race:
    race = Race(item_id)
    pages = {p.username: _item_page(p, item_id) for p in people}
    barrier = threading.Barrier(len(people))

    def decide(person: Person) -> None:
        page = pages[person.username]
        fields = {"step_run": _step_run(page), "action": branch}
        if reason:
            fields["reason"] = reason
        barrier.wait(timeout=60)
        response = person.post(f"/kerja/berita/{item_id}/aksi/", fields, _token(page))
        race.outcomes[person.username] = (response.status, response.text)

    _run_all([lambda p=p: decide(p) for p in people])
    return race


def _run_all(jobs: list[Callable[[], object]]) -> list[object]:
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            results[n] = jobs[n]()
        except BaseException as error:  # reported below, in the calling thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=240)
    if errors:
        raise errors[0]
    return results


def _plan(n: int) -> str:
    """What happens to the n-th author's item."""
    return {0: "returned", 1: "published", 2: "published", 3: "refused"}[n % 4]


def _lifecycle(
    n: int, author: Person, checkers: list[Person], permitters: list[Person], races: list[Race]
) -> dict:
    plan = _plan(n)
    page = author.get("/kerja/berita/baru/")
    response = author.post(
        "/kerja/berita/baru/",
        new_item_fields(f"Berita uji {author.username}"),
        _token(page),
        files={"photos": ("foto.png", png_bytes(64, 48), "image/png")},
    )
    assert response.status == 302, (response.status, response.text[:1500])
    item_id = int(re.search(r"/kerja/berita/(\d+)/", response.headers["Location"]).group(1))
    body = _edit(author, item_id, f"Catatan {author.username}")
    _submit_draft(author, item_id, body, lands="sunting/")  # 1. the note; on into the editor
    body = _edit(author, item_id, f"Naskah {author.username}")
    _submit_draft(author, item_id, body, lands="")  # 2. the draft goes to review
    if plan == "returned":
        race = _race(checkers, item_id, "kembalikan", "Judul perlu diperbaiki.")
        races.append(race)
        body = _edit(author, item_id, f"Perbaikan {author.username}")
        _submit_draft(author, item_id, body, lands="")
        checker = next(c for c in checkers if c.username == race.winner)
        _act(checker, item_id, action="setuju")  # it came back to them
    else:
        race = _race(checkers, item_id, "setuju")
        races.append(race)
        checker = next(c for c in checkers if c.username == race.winner)
    if plan == "refused":
        races.append(_race(permitters, item_id, "tolak", "Tidak layak unggah."))
        return {"item": item_id, "plan": plan, "body": body, "checker": checker.username}
    races.append(_race(permitters, item_id, "izinkan"))
    _act(checker, item_id, action="complete")  # the order to upload
    _act(author, item_id, action="publish")
    return {"item": item_id, "plan": plan, "body": body, "checker": checker.username}


EXPECTED_STEPS = {
    "published": [
        ("catat", "completed"),
        ("edit", "completed"),
        ("periksa", "setuju"),
        ("lapor_kabag", "completed"),
        ("izin", "izinkan"),
        ("perintah_unggah", "completed"),
        ("unggah", "completed"),
    ],
    "returned": [
        ("catat", "completed"),
        ("edit", "completed"),
        ("periksa", "kembalikan"),
        ("edit", "completed"),
        ("periksa", "setuju"),
        ("lapor_kabag", "completed"),
        ("izin", "izinkan"),
        ("perintah_unggah", "completed"),
        ("unggah", "completed"),
    ],
    "refused": [
        ("catat", "completed"),
        ("edit", "completed"),
        ("periksa", "setuju"),
        ("lapor_kabag", "completed"),
        ("izin", "tolak"),
    ],
}
END = {"published": ("completed", "terunggah"), "returned": ("completed", "terunggah")}
END["refused"] = ("refused", "ditolak")


def test_twenty_people_work_through_the_sop_at_once(server):
    record = Record()
    people = {name: Person(name, server.port, record) for name in ROLES}
    started = time.monotonic()
    _run_all([person.log_in for person in people.values()])
    checkers = [people[name] for name in CHECKERS]
    permitters = [people[name] for name in PERMITTERS]
    races: list[Race] = []
    try:
        results = _run_all(
            [
                lambda n=n, name=name: _lifecycle(n, people[name], checkers, permitters, races)
                for n, name in enumerate(AUTHORS)
            ]
        )
    except BaseException:
        print(server.log())
        raise
    elapsed = time.monotonic() - started

    errors = [entry for entry in record.statuses if entry[2] >= 500]
    assert errors == [], server.log()
    # Every race decided exactly once; the others were told it was already done.
    assert len(races) == 2 * len(AUTHORS)
    for race in races:
        statuses = sorted(status for status, _text in race.outcomes.values())
        assert statuses == [302, 409, 409, 409], (race.item_id, race.outcomes.keys(), statuses)
        for name, (status, text) in race.outcomes.items():
            if status == 409:
                assert "sudah diproses" in text, (name, text[:1000])

    state = json.loads(server.manage(script=DUMP))
    for author, result in zip(AUTHORS, results, strict=True):
        item = state["items"][f"Berita uji {author}"]
        plan = result["plan"]
        assert [tuple(run[:2]) for run in item["runs"]] == EXPECTED_STEPS[plan], item["runs"]
        assert (item["status"], item["end"]) == END[plan]
        assert item["body"] == result["body"]  # the last autosave is what is kept
        assert item["published"] == (plan != "refused")
        for step_id, _outcome, finished_by, _assignee in item["runs"]:
            if step_id in ("periksa", "perintah_unggah"):
                assert finished_by == result["checker"]
    decides = sum(1 for r in races for status, _t in r.outcomes.values() if status == 302)
    returned = sum(1 for r in results if r["plan"] == "returned")
    assert state["actions"]["workflow.step_decided"] == decides + returned
    verified = server.manage("audit", "verify")
    writes = sorted(seconds for _path, seconds in record.writes)
    slowest, p95 = writes[-1], writes[int(len(writes) * 0.95)]
    print(
        f"\n{len(record.statuses)} requests ({len(writes)} writes) in {elapsed:.1f} s; "
        f"slowest write {slowest:.2f} s, 95th percentile {p95:.2f} s; "
        f"audit: {verified.strip()[:200]}"
    )
    if server.sqlite:
        locks = server.lock_times()
        assert locks, "the lock timing wrapper recorded nothing"
        waits = sorted(wait for wait, _held, _what in locks)
        print(
            f"SQLite write lock: {len(locks)} transactions, longest wait {waits[-1]:.2f} s, "
            f"95th percentile {waits[int(len(waits) * 0.95)]:.2f} s; longest holds:"
        )
        for wait, held, what in sorted(locks, key=lambda row: -row[1])[:12]:
            print(f"  held {held:.3f} s (waited {wait:.3f} s) {what}")
        # Far from the 20 s busy timeout at which a wait becomes an error (writers take turns).
        assert waits[-1] < 10, waits[-5:]

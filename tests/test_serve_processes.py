"""`warta serve --processes N` / `warta web --processes N`: several web server processes on one
port, started and stopped together (warta.serve.run_web_processes).

Real processes on a real port: the answers must come from more than one process, SIGTERM must
stop every process of the tree, one process dying must stop the others, and the processes must
not outlive a parent killed without warning.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.live_server import (
    WARTA,
    Browser,
    RunningServer,
    postgres_database,
    start_serve,
    start_warta,
    warta_env,
    warta_setup,
)

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

BANNER = re.compile(r"Warta web server \(process (\d+)\) on http://")


def parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the state


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (parent := parent_of(int(entry.name))) is not None:
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(condition, timeout: float = 120) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def web_pids(server: RunningServer, count: int) -> list[int]:
    """The ids of the web processes from their start-up lines, once ``count`` have started."""
    assert wait_until(lambda: len(BANNER.findall(server.log())) >= count), server.log()
    return [int(pid) for pid in BANNER.findall(server.log())]


def answered_by(server: RunningServer, path: str) -> set[int]:
    """The processes whose access log shows a 200 for GET ``path``."""
    line = re.compile(rf"\[pid (\d+)\] \S+ GET {re.escape(path)} 200 ")
    return {int(pid) for pid in line.findall(server.log())}


def request_until_both_answer(browser: Browser, path: str, server: RunningServer) -> list[int]:
    """GET ``path`` with eight clients at once, in rounds, until two processes have answered
    (at most 25 rounds); the statuses."""
    statuses: list[int] = []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _round in range(25):
            statuses += pool.map(lambda _n: browser.request("GET", path).status, range(16))
            if len(answered_by(server, path)) >= 2:
                break
    return statuses


def start_web(data_dir: Path, env: dict[str, str], *args: str) -> RunningServer:
    return start_warta("web", data_dir, env, *args)


def kill_left_over(pids: set[int]) -> None:
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """(data dir, env, passwords) as `warta setup` leaves them, on the suite's kind of database:
    SQLite, or a PostgreSQL database of its own when the suite runs on PostgreSQL."""
    import dj_database_url

    data_dir = tmp_path_factory.mktemp("processes") / "var"
    env = warta_env(data_dir, WARTA_WEB_THREADS="2")
    suite_url = os.environ.get("WARTA_DATABASE_URL", "")
    if not suite_url.startswith("postgres"):
        yield data_dir, env, warta_setup(data_dir, env)
        return
    name = f"{dj_database_url.parse(suite_url)['NAME'] or 'warta'}_processes_{os.getpid()}"
    postgres_database(suite_url, name, create=True)
    env["WARTA_DATABASE_URL"] = suite_url.rsplit("/", 1)[0] + "/" + name
    try:
        done = subprocess.run(
            [WARTA, "setup"],
            env=env,
            cwd=data_dir.parent,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        logins = (data_dir / "demo-logins.txt").read_text()
        yield data_dir, env, dict(re.findall(r"^\s+(\S+)\s+sandi: (\S+)", logins, re.MULTILINE))
    finally:
        postgres_database(suite_url, name, create=False)


@pytest.fixture
def data_dir(prepared):
    directory, env, _passwords = prepared
    return directory, env


def test_serve_answers_from_two_processes_and_sigterm_stops_the_whole_tree(prepared):
    directory, env, passwords = prepared
    server = start_serve(directory, env, "--processes", "2")
    tree: set[int] = set()
    try:
        pids = web_pids(server, 2)
        tree = descendants(server.process.pid)
        assert set(pids) <= tree  # the web processes are serve's (grand)children
        assert len(set(pids)) == 2

        # Several clients at once, until both processes have answered (or clearly never will).
        statuses = request_until_both_answer(Browser(server.port), "/", server)
        assert set(statuses) == {200}, statuses
        assert answered_by(server, "/") == set(pids), server.log()

        # A session begun in one process holds in the other (it lives in the database).
        humas = Browser(server.port)
        humas.log_in("humas", passwords["humas"])
        statuses = request_until_both_answer(humas, "/kerja/", server)
        assert set(statuses) == {200}, statuses  # not a redirect to the sign-in page
        assert answered_by(server, "/kerja/") == set(pids), server.log()

        assert wait_until(lambda: "Starting worker" in server.log()), server.log()
        tree = descendants(server.process.pid)  # now with the workers too
        server.process.send_signal(signal.SIGTERM)  # serve alone, as systemd or `kill` would
        assert server.process.wait(timeout=60) == 0, server.log()
        left = {pid for pid in tree if alive(pid)}
        assert not left, f"processes left after SIGTERM: {left}"
        assert server.log().count("Warta web server shutting down") == 2, server.log()
    finally:
        server.stop()
        kill_left_over(tree)


def test_one_web_process_dying_stops_the_others_and_fails(data_dir):
    directory, env = data_dir
    server = start_web(directory, env, "--processes", "2")
    tree: set[int] = set()
    try:
        first, second = web_pids(server, 2)
        tree = descendants(server.process.pid)
        assert Browser(server.port).request("GET", "/").status == 200
        os.kill(first, signal.SIGKILL)
        assert server.process.wait(timeout=60) != 0  # a failure a service manager restarts
        assert not alive(second)
        assert "Warta web server shutting down" in server.log()  # the other one stopped cleanly
        with pytest.raises(OSError):  # and nothing holds the port any more
            socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    finally:
        server.stop()
        kill_left_over(tree)


def test_web_processes_do_not_outlive_their_parent(data_dir):
    directory, env = data_dir
    server = start_web(directory, env, "--processes", "2")
    pids: list[int] = []
    try:
        pids = web_pids(server, 2)
        os.kill(server.process.pid, signal.SIGKILL)  # no chance to stop its children itself
        server.process.wait(timeout=30)
        assert wait_until(lambda: not any(alive(pid) for pid in pids), timeout=60), pids
        assert server.log().count("Warta web server shutting down") == 2, server.log()
    finally:
        server.stop()
        kill_left_over(set(pids))


def test_a_taken_port_fails_before_any_process_starts(data_dir):
    directory, env = data_dir
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [WARTA, "web", "--port", str(port), "--processes", "2"],
            env=env,
            cwd=directory.parent,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert not BANNER.search(done.stdout + done.stderr)


def test_processes_must_be_a_positive_number(data_dir):
    directory, env = data_dir
    done = subprocess.run(
        [WARTA, "web", "--processes", "0"],
        env=env,
        cwd=directory.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "--processes" in done.stderr

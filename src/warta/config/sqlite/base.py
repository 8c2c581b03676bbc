"""The SQLite adapter (``ENGINE = "warta.config.sqlite"``): Django's backend, with the writers of
all processes taking turns for the database's write lock.

SQLite has a single write lock for the whole database, and every transaction begins IMMEDIATE
(see settings), so it takes that lock at ``BEGIN``. A writer that finds it taken waits in SQLite's
busy handler, which polls — every 100 ms after the first few tries — with no queue: under load an
unlucky writer loses the race again and again (an autosave waited 13 s with eight web threads;
20 processes writing at once saw "database is locked" after the 20 s busy timeout) while others
pass. Here a writer first takes two turns of its own, in this order:

1. the threads of one process queue on a lock of their own, so the turn goes straight to the
   next thread in line;
2. one writer per process then takes an exclusive ``flock`` on a file beside the database
   (``<database>-writer.lock``), shared by every process on this machine — the web processes and
   the workers. The kernel wakes a waiter as soon as the lock is released; a waiter tries again
   within a few milliseconds, not SQLite's 100.

So ``BEGIN IMMEDIATE`` finds the write lock free, and the longest wait stays close to the sum of
the transactions ahead. Neither turn blocks for longer than ``QUEUE_TIMEOUT`` in all: past it a
writer goes on to SQLite's own waiting, exactly as without the turns. A process that dies holding
the file lock loses it with its descriptor. An in-memory database has no file and no file lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

QUEUE_TIMEOUT = 20.0  # seconds, as the busy timeout
# How long a writer waiting for another process's turn sleeps between tries (it doubles from
# the first to the last).
FIRST_RETRY, LAST_RETRY = 0.0005, 0.008

_writers = threading.Lock()


class _ProcessTurn:
    """The file lock of one database, opened once per process (a forked child opens its own:
    a ``flock`` belongs to the open file, which a fork would share)."""

    def __init__(self) -> None:
        self._files: dict[str, int] = {}
        self._pid = os.getpid()

    def _file(self, database: str) -> int:
        if self._pid != os.getpid():
            self._files, self._pid = {}, os.getpid()
        if database not in self._files:
            path = f"{database}-writer.lock"
            self._files[database] = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self._files[database]

    def acquire(self, database: str, deadline: float) -> int | None:
        """The locked file's descriptor, or None when the turn did not come by ``deadline``
        (or the file cannot be opened)."""
        try:
            handle = self._file(database)
        except OSError:
            return None
        pause = FIRST_RETRY
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                if time.monotonic() + pause > deadline:
                    return None
                time.sleep(pause)
                pause = min(pause * 2, LAST_RETRY)
            except OSError:  # a file system without file locks: SQLite's own waiting only
                return None

    @staticmethod
    def release(handle: int) -> None:
        fcntl.flock(handle, fcntl.LOCK_UN)


_process_turn = _ProcessTurn()


def _database_file(settings_dict: dict) -> str | None:
    name = str(settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return name


class DatabaseWrapper(base.DatabaseWrapper):
    _in_turn = False
    _file_turn: int | None = None

    def _start_transaction_under_autocommit(self) -> None:
        deadline = time.monotonic() + QUEUE_TIMEOUT
        self._in_turn = _writers.acquire(timeout=QUEUE_TIMEOUT)
        database = _database_file(self.settings_dict)
        if self._in_turn and database is not None:
            self._file_turn = _process_turn.acquire(database, deadline)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        if self._file_turn is not None:
            handle, self._file_turn = self._file_turn, None
            _process_turn.release(handle)
        if self._in_turn:
            self._in_turn = False
            _writers.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()

"""The SQLite adapter (``ENGINE = "warta.config.sqlite"``): Django's backend, with the writers of
one process taking turns for the database's write lock.

SQLite has a single write lock for the whole database, and every transaction begins IMMEDIATE
(see settings), so it takes that lock at ``BEGIN``. A writer that finds it taken waits in SQLite's
busy handler, which polls — every 100 ms after the first few tries — with no queue: under load an
unlucky writer loses the race again and again (an autosave waited 13 s with eight web threads)
while others pass. Here the threads of one process first queue on a lock of their own, so the
write lock goes straight to the next writer in turn, and the longest wait stays close to the sum
of the transactions ahead. Other processes (the task worker) still meet at the busy timeout. The
queue never blocks for longer than ``QUEUE_TIMEOUT``: past it a writer goes on to SQLite's own
waiting, exactly as without the queue.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base

QUEUE_TIMEOUT = 20.0  # seconds, as the busy timeout

_writers = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    _in_turn = False

    def _start_transaction_under_autocommit(self) -> None:
        self._in_turn = _writers.acquire(timeout=QUEUE_TIMEOUT)
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
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

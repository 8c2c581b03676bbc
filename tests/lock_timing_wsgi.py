"""Warta's WSGI application, timing SQLite's write lock: how long each transaction waited for it
(in the process's queue and in SQLite's busy handler) and how long it then held it, one
tab-separated line per transaction in the file named by ``WARTA_TEST_LOCK_LOG``. Used by
tests/test_concurrent_users.py; never in production."""

from __future__ import annotations

import os
import threading
import time

from django.db import connections

from warta.config.wsgi import application as django_application

LOG_PATH = os.environ["WARTA_TEST_LOCK_LOG"]
_write = threading.Lock()
_request = threading.local()


def _log(line: str) -> None:
    with _write, open(LOG_PATH, "a", encoding="utf-8") as log:
        log.write(line + "\n")


def _ended(connection, what: str) -> None:
    taken = getattr(connection, "lock_taken", None)
    if taken is None:
        return
    connection.lock_taken = None
    held = time.monotonic() - taken
    path = getattr(_request, "path", "")
    _log(f"{connection.lock_waited:.4f}\t{held:.4f}\t{what}\t{path}")


Wrapper = type(connections["default"])
_begin, _commit, _rollback = (
    Wrapper._start_transaction_under_autocommit,
    Wrapper._commit,
    Wrapper._rollback,
)


def _timed_begin(self):
    started = time.monotonic()
    _begin(self)
    self.lock_waited = time.monotonic() - started
    self.lock_taken = time.monotonic()


def _timed_commit(self):
    try:
        return _commit(self)
    finally:
        _ended(self, "commit")


def _timed_rollback(self):
    try:
        return _rollback(self)
    finally:
        _ended(self, "rollback")


Wrapper._start_transaction_under_autocommit = _timed_begin
Wrapper._commit = _timed_commit
Wrapper._rollback = _timed_rollback


def application(environ, start_response):
    _request.path = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
    return django_application(environ, start_response)

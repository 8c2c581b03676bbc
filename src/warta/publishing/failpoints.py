"""Places in the publishing worker where a test can stop it, to kill it there.

Only when ``WARTA_FAILPOINTS_DIR`` is set (never in production): reaching point ``name`` while
the file ``<dir>/<name>.arm`` exists writes ``<dir>/<name>.reached`` and waits until the arm
file is removed (or the process is killed, which is what the test does)."""

from __future__ import annotations

import os
import time
from pathlib import Path

BEFORE_CALL = "before_call"
AFTER_CALL = "after_call"
AFTER_RECORD = "after_record"


def reach(name: str, *, limit: float = 300.0) -> None:
    directory = os.environ.get("WARTA_FAILPOINTS_DIR")
    if not directory:
        return
    arm = Path(directory) / f"{name}.arm"
    if not arm.exists():
        return
    (Path(directory) / f"{name}.reached").write_text(str(os.getpid()))
    deadline = time.monotonic() + limit
    while arm.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

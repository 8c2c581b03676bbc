"""The ``warta`` command: Django's management commands with Warta's settings, plus short names.

``warta sop validate FILE``, ``warta calendar due START DURATION``, ``warta audit verify``,
``warta worker`` (the background task worker), ``warta serve`` (web server + worker) and every
Django command (``warta migrate``, ``warta createsuperuser`` …).
"""

from __future__ import annotations

import os
import sys

ALIASES = {"worker": "db_worker"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    args = list(sys.argv if argv is None else ["warta", *argv])
    if len(args) > 1 and args[1] in ALIASES:
        args[1] = ALIASES[args[1]]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()

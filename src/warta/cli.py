"""The ``warta`` command: Django's management commands with Warta's settings, plus:

- ``warta setup``   migrate, load the shipped SOPs, create demo users on an empty database
- ``warta serve``   web server and background worker together (Ctrl-C stops both)
- ``warta worker``  the background task worker alone
- ``warta sop …``, ``warta calendar …``, ``warta audit verify`` and every Django command.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"worker": "db_worker"}


def _setup() -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("sop", "load", "--shipped")
    call_command("demo", verbosity=0)
    return 0


def _serve(argv: list[str]) -> int:
    import argparse

    from warta.serve import serve

    parser = argparse.ArgumentParser(prog="warta serve")
    parser.add_argument("--host", default=os.environ.get("WARTA_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WARTA_PORT", "8000")))
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("WARTA_WEB_WORKERS", "2"))
    )
    args = parser.parse_args(argv)
    print(f"\nWarta berjalan di http://{args.host}:{args.port}/  (Ctrl-C untuk berhenti)\n")
    _print_logins()
    return serve(args.host, args.port, args.workers)


def _print_logins() -> None:
    import django
    from django.conf import settings

    django.setup()
    logins = settings.DATA_DIR / "demo-logins.txt"
    if logins.exists():
        print(logins.read_text())


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    args = list(sys.argv if argv is None else ["warta", *argv])
    command = args[1] if len(args) > 1 else ""
    if command == "setup":
        sys.exit(_setup())
    if command == "serve":
        sys.exit(_serve(args[2:]))
    if command in ALIASES:
        args[1] = ALIASES[command]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()

"""The ``warta`` command: Django's management commands with Warta's settings, plus:

- ``warta setup``   migrate, load the shipped SOPs, create demo users on an empty database
- ``warta serve``   web server and background worker together (Ctrl-C stops both)
- ``warta web``     the web server alone (waitress, ``--processes N`` of it; docs/deployment.md)
- ``warta worker``  the background task worker alone (every queue, unless --queue-name says)
- ``warta site rebuild``  render every pre-rendered public page again
- ``warta prune [--dry-run]``  delete sent e-mails and finished task results past their
  retention (the worker does it every night)
- ``warta sop …``, ``warta calendar …``, ``warta audit verify``, ``warta search rebuild`` (the
  public search index, with progress) and every Django command.
"""

from __future__ import annotations

import argparse
import os
import sys

# `warta worker` is warta.maintenance's `worker` command: django-tasks-db's db_worker, after it
# made sure the recurring work is scheduled.
ALIASES: dict[str, str] = {}


def _setup() -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    _check_public_pages()  # after collectstatic: the static manifest is part of it
    call_command("sop", "load", "--shipped")
    call_command("demo", verbosity=0)
    # Renditions of media that have none (the demo's, or media from before an upgrade), so the
    # pages show them at once; the worker makes those of later uploads.
    call_command("media", "process", verbosity=0)
    # The nightly prune of old by-products waits in the task queue (once; `warta worker`
    # makes sure of it too).
    from warta.maintenance.tasks import ensure_scheduled

    ensure_scheduled()
    return 0


def _check_public_pages() -> None:
    """Delete the pre-rendered public pages when what they depend on changed (the institution's
    settings, the language, Warta's version, the static files; warta.site.pages)."""
    from warta.site.pages import check_fingerprint

    removed = check_fingerprint()
    if removed:
        print(f"{removed} pre-rendered public page(s) deleted: the site's settings changed")


def _server_args(prog: str, argv: list[str]) -> argparse.Namespace:
    """--host/--port (default WARTA_HOST/WARTA_PORT), --threads and --processes, applied before
    the settings load so that the default WARTA_SITE_URL of this process and its children
    follows them."""
    import django
    from django.conf import settings

    from warta.serve import DEFAULT_PROCESSES, DEFAULT_THREADS

    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--host", help="default: WARTA_HOST or 127.0.0.1")
    parser.add_argument("--port", type=int, help="default: WARTA_PORT or 8000")
    parser.add_argument(
        "--threads",
        type=int,
        default=int(os.environ.get("WARTA_WEB_THREADS", str(DEFAULT_THREADS))),
        help="threads that run Django (slow uploads and downloads never occupy one)",
    )
    parser.add_argument(
        "--processes",
        type=_positive,
        default=os.environ.get("WARTA_WEB_PROCESSES", str(DEFAULT_PROCESSES)),
        help="web server processes sharing the port (default: WARTA_WEB_PROCESSES or 1; "
        "in production the number of CPUs)",
    )
    if prog == "warta web":
        # Internal: how `warta web --processes N` starts each of its processes (warta.serve).
        parser.add_argument("--listen-fd", type=int, action="append", help=argparse.SUPPRESS)
        parser.add_argument("--parent-fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if getattr(args, "listen_fd", None):
        return args  # the parent checked everything below and holds the port
    if args.host is not None:
        os.environ["WARTA_HOST"] = args.host
    if args.port is not None:
        os.environ["WARTA_PORT"] = str(args.port)
    django.setup()
    # Refuse to start with a problem Django's checks can see (e.g. a loaded SOP naming a
    # capability no installed app registers): better at start-up than at a step nobody can serve.
    from django.core.management import CommandError, call_command

    try:
        call_command("check", "--database", "default")
    except CommandError as error:
        raise SystemExit(str(error)) from None
    args.host, args.port = settings.WARTA_HOST, settings.WARTA_PORT
    _check_public_pages()
    return args


def _serve(argv: list[str]) -> int:
    from warta.serve import serve

    args = _server_args("warta serve", argv)
    print(f"\nWarta berjalan di http://{args.host}:{args.port}/  (Ctrl-C untuk berhenti)\n")
    _print_logins()
    return serve(args.host, args.port, args.threads, args.processes)


def _web(argv: list[str]) -> int:
    from warta.serve import run_web, run_web_process, run_web_processes

    args = _server_args("warta web", argv)
    if args.listen_fd:
        return run_web_process(args.listen_fd, args.parent_fd, args.threads)
    if args.processes > 1:
        return run_web_processes(args.host, args.port, args.threads, args.processes)
    return run_web(args.host, args.port, args.threads)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def _print_logins() -> None:
    import django
    from django.conf import settings

    django.setup()
    logins = settings.DATA_DIR / "demo-logins.txt"
    if logins.exists():
        print(logins.read_text())


# The commands that run Warta for a while keep a secret key in the data dir (generated once
# unless WARTA_SECRET_KEY is set), so sessions and signed links survive a restart and the web
# server and the worker agree on it. In production (WARTA_HTTPS) only `warta setup` writes it:
# a server without a key stops with the settings' message instead.
KEEP_SECRET_KEY = {"serve", "web", "worker", "db_worker"}


def main(argv: list[str] | None = None) -> None:
    from warta.config import datadir

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "warta.config.settings")
    args = list(sys.argv if argv is None else ["warta", *argv])
    command = args[1] if len(args) > 1 else ""
    # Before Django reads the settings, which only read: the data dir holds the SQLite database.
    datadir.prepare()
    if command == "setup" or (command in KEEP_SECRET_KEY and not datadir.behind_https()):
        datadir.ensure_secret_key()
    if command == "setup":
        sys.exit(_setup())
    if command == "serve":
        sys.exit(_serve(args[2:]))
    if command == "web":
        sys.exit(_web(args[2:]))
    if command in ALIASES:
        args[1] = ALIASES[command]
    if command == "worker" and not any(arg.startswith("--queue-name") for arg in args):
        # One `warta worker` does everything; `warta serve` runs one per queue instead.
        args += ["--queue-name", "*"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()

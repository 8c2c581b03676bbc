"""The processes of ``warta audit verify --workers N``: started fresh (``spawn``), so nothing a
thread of the starting process held at the time — a lock, a connection — is carried over, as it
would be by ``fork``. Nothing Django is imported before ``init`` has set it up."""

from __future__ import annotations

import os


def init(settings_module: str, database_name: str) -> None:
    """Set Django up in this process, on the starting process's database (a test database's
    name, too, which the settings alone would not give)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from django.db import connection

    connection.settings_dict["NAME"] = database_name


def check_range(job: tuple[int, int, int, bool]):
    from warta.audit.verify import check_range as check

    return check(job)

"""The demo world of ``tests/urlwalk.py``, built once per test module and shared by its tests.

Building the world (the demo people, the demo news driven through the SOP with generated photos
and videos, a Plh, the published item's renditions) takes seconds; the tests that use it only
look at it or change a little of it. So a module builds it once, inside a transaction of its
own that is rolled back when the module ends, and every test runs inside a savepoint of that
transaction (pytest-django's ``db`` fixture nests its ``TestCase`` atomic block in it): what a
test writes is rolled back before the next test starts, and ``World.check_untouched`` fails a
test that starts on a world an earlier test changed.

Media files follow the same rule: the world's files are written once to a module directory and
copied to each test's own ``MEDIA_ROOT``.

References:
- pytest-django, ``django_db_blocker`` and nesting higher-scoped transactions:
  https://pytest-django.readthedocs.io/en/latest/database.html#django-db-blocker
- Django, nested ``atomic`` blocks are savepoints:
  https://docs.djangoproject.com/en/5.2/topics/db/transactions/#django.db.transaction.atomic
- Django, ``override_settings`` as a context manager:
  https://docs.djangoproject.com/en/5.2/topics/testing/tools/#django.test.override_settings
- pytest, fixture scopes: https://docs.pytest.org/en/stable/how-to/fixtures.html#fixture-scopes
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.urlwalk import World, build_world

SHIPPED_SOP = Path(__file__).parent.parent / "src/warta/sop/definitions/sdm-6-ot-02-02-3002.yaml"


# What conftest's autouse fixtures set for each test, needed while the module builds the world
# (they are function-scoped, so they are not active yet): fast password hashing for the demo
# people, and static files without a collectstatic manifest.
def _build_settings() -> dict:
    from django.conf import settings

    return {
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@dataclass
class SharedWorld:
    """A built world, the directory of its media files and a fingerprint of its rows."""

    world: World
    media_root: Path
    fingerprint: dict[str, tuple[int, int]]

    def for_test(self, media_root: Path) -> World:
        """The world for one test: its media copied to ``media_root``, and a copy of the
        people and ids, so that a test changing a user object in memory changes no other
        test's. Fails when an earlier test's writes are still in the database."""
        self.check_untouched()
        shutil.copytree(self.media_root, media_root, dirs_exist_ok=True)
        return copy.deepcopy(self.world)

    def check_untouched(self) -> None:
        now = fingerprint()
        changed = {
            name: (self.fingerprint[name], now[name])
            for name in self.fingerprint
            if now[name] != self.fingerprint[name]
        }
        assert not changed, f"an earlier test's writes leaked into the shared world: {changed}"


def fingerprint() -> dict[str, tuple[int, int]]:
    """(row count, largest primary key) of the tables the world and the pages write to."""
    from django.apps import apps
    from django.db.models import Count, Max

    labels = (
        "auth.user",
        "accounts.delegation",
        "newsroom.newsitem",
        "newsroom.revision",
        "workflow.case",
        "workflow.steprun",
        "workflow.deviation",
        "audit.event",
        "media.asset",
        "notify.notification",
        "publishing.channelaccount",
        "publishing.publication",
        "publishing.channeltext",
    )
    found = {}
    for label in labels:
        model = apps.get_model(label)
        row = model._default_manager.aggregate(count=Count("pk"), last=Max("pk"))
        found[label] = (row["count"], row["last"] or 0)
    return found


@contextmanager
def shared_world(
    django_db_blocker, media_root: Path, extra: Callable[[World], None] | None = None
) -> Iterator[SharedWorld]:
    """Build the world once, in a transaction rolled back on exit; ``extra`` adds what one
    module needs besides (say, a person without a role).

    Use from a module-scoped fixture that requests ``django_db_setup`` and
    ``django_db_blocker``; each test then requests ``db`` (or is marked ``django_db``) and
    calls ``SharedWorld.for_test``. Database access is unblocked only while building and
    rolling back, so a test without ``db`` still cannot reach the database.
    """
    from django.db import transaction
    from django.test import override_settings

    from warta.sop.services import load_sop

    media_root.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media_root, **_build_settings()),
        ):
            world = build_world(load_sop(path_or_text=SHIPPED_SOP))
            if extra is not None:
                extra(world)
            built = SharedWorld(world=world, media_root=media_root, fingerprint=fingerprint())
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)

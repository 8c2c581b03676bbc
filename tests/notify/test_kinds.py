"""Notification kinds are a registry that producers fill, not a closed list: a new kind shows
on the preferences page and is delivered by its default; an unknown kind is refused; the engine
never imports notify (it sends signals, notify subscribes)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction
from django.utils.translation import gettext_lazy

from warta.notify import services
from warta.notify.kinds import (
    UnknownKind,
    get_kind,
    kind_label,
    register_kind,
    registered_kinds,
    unregister_kind,
)
from warta.notify.models import Notification, OutgoingMail, Preference

ENGINE = Path(__file__).resolve().parents[2] / "src" / "warta" / "workflow"
CASE_KINDS = ["reminder", "late", "escalation", "deviation", "deviation_review", "task"]


@pytest.fixture
def published_kind():
    kind = register_kind("archive_ready", gettext_lazy("Archive ready"), default_delivery="digest")
    yield kind
    unregister_kind(kind.code)


def test_the_case_kinds_keep_their_codes():
    codes = [kind.code for kind in registered_kinds()]
    assert [code for code in codes if code in CASE_KINDS] == CASE_KINDS
    assert get_kind("task").default_delivery == "immediate"


def test_registering_a_code_twice_differently_is_a_programming_error(published_kind):
    register_kind("archive_ready", published_kind.label, default_delivery="digest")
    with pytest.raises(ValueError, match="already registered"):
        register_kind("archive_ready", published_kind.label, default_delivery="off")
    with pytest.raises(ValueError):
        register_kind("x" * 33, "Too long")
    with pytest.raises(ValueError):
        register_kind("weekly", "Weekly", default_delivery="weekly")


@pytest.mark.django_db
def test_an_unregistered_kind_is_refused(person):
    sari = person("sari")
    with pytest.raises(UnknownKind):
        services.notify(recipients=[sari], kind="gossip", title="t", body="", url="/kerja/")
    with pytest.raises(UnknownKind):
        services.set_preference(user=sari, kind="gossip", mode="off")
    assert not Notification.objects.exists()
    assert not Preference.objects.exists()


@pytest.mark.django_db
def test_a_registered_kind_is_listed_chosen_and_delivered_by_its_default(
    client, person, published_kind
):
    sari = person("sari")
    with transaction.atomic():
        [notification] = services.notify(
            recipients=[sari], kind="archive_ready", title="Gagal", body="", url="/kerja/"
        )
    assert notification.digest_on is not None  # its default: the daily digest, no mail now
    assert not OutgoingMail.objects.exists()
    assert notification.get_kind_display() == "Archive ready"

    client.force_login(sari)
    page = client.get("/kerja/notifikasi/pengaturan/").content.decode()
    assert "Archive ready" in page
    assert page.count('type="radio"') == len(registered_kinds()) * 3
    data = {kind.code: "immediate" for kind in registered_kinds()} | {"archive_ready": "off"}
    client.post("/kerja/notifikasi/pengaturan/", data)
    assert Preference.objects.get(user=sari, kind="archive_ready").mode == "off"


@pytest.mark.django_db
def test_a_stored_notification_of_a_kind_no_longer_registered_still_shows(client, person):
    sari = person("sari")
    Notification.objects.create(recipient=sari, kind="retired_kind", title="Lama", url="/kerja/")
    assert kind_label("retired_kind") == "retired_kind"
    client.force_login(sari)
    response = client.get("/kerja/notifikasi/")
    assert response.status_code == 200
    assert "Lama" in response.content.decode()


def test_the_engine_does_not_import_notify():
    offenders = []
    for path in ENGINE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("warta.notify")]
    assert offenders == []

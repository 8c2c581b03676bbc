"""The admin upload form loads a definition through load_sop and shows validator errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from warta.sop.models import SopVersion

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The manifest storage of production settings needs ``collectstatic``; pages do not."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def upload(client, name: str, content: bytes):
    return client.post(
        reverse("admin:sop_sopversion_add"),
        {"file": SimpleUploadedFile(name, content, content_type="application/yaml")},
    )


def test_upload_page_renders(admin_client):
    response = admin_client.get(reverse("admin:sop_sopversion_add"))
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_invalid_upload_shows_the_errors_and_loads_nothing(admin_client):
    response = upload(admin_client, "bad.yaml", (FIXTURES / "unknown-role-actor.yaml").read_bytes())
    assert response.status_code == 200
    assert [(e.code, e.path, e.line) for e in response.context["definition_errors"]] == [
        ("unknown-role", "steps[0].actor", 19)
    ]
    assert b"steps[0].actor" in response.content and b"bad.yaml:19" in response.content
    assert SopVersion.objects.count() == 0


def test_valid_upload_loads_and_redirects(admin_client, admin_user):
    response = upload(admin_client, "mini.yaml", (FIXTURES / "valid-minimal.yaml").read_bytes())
    version = SopVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:sop_sopversion_change", args=[version.pk])
    assert version.loaded_by == admin_user
    assert version.origin == SopVersion.Origin.ADMIN
    assert version.filename == "mini.yaml"
    detail = admin_client.get(response["Location"])
    assert detail.status_code == 200
    assert b"TEST.MINI-01" in detail.content


def test_non_utf8_upload_is_refused(admin_client):
    response = upload(admin_client, "x.yaml", "nama: é".encode("latin-1"))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SopVersion.objects.count() == 0


def test_versions_cannot_be_edited_or_deleted(admin_client):
    upload(admin_client, "mini.yaml", (FIXTURES / "valid-minimal.yaml").read_bytes())
    version = SopVersion.objects.get()
    response = admin_client.post(reverse("admin:sop_sopversion_delete", args=[version.pk]))
    assert response.status_code == 403
    assert SopVersion.objects.count() == 1
    changelist = admin_client.get(reverse("admin:sop_sopversion_changelist"))
    assert changelist.status_code == 200

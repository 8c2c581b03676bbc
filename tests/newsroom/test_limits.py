"""Coverage notes over their limit are refused with the reason, and everything typed stays."""

from __future__ import annotations

import pytest

from warta.newsroom.limits import MAX_COVERAGE_NOTES_CHARS

FIELDS = {
    "title": "Rapat Koordinasi Kehumasan",
    "activity_name": "Rapat koordinasi",
    "activity_at": "2026-11-27T09:00",
    "place": "Ruang Rapat Direktur",
    "covered_by": "Sari Wulandari",
}


@pytest.mark.django_db
def test_coverage_notes_over_the_limit_are_refused_and_kept(client, people):
    from warta.newsroom.models import NewsItem

    client.force_login(people["humas"])
    page = client.get("/kerja/berita/baru/").content.decode()
    assert f'maxlength="{MAX_COVERAGE_NOTES_CHARS}"' in page

    notes = "Sambutan Direktur. " + "n" * MAX_COVERAGE_NOTES_CHARS
    response = client.post("/kerja/berita/baru/", {**FIELDS, "notes": notes})
    text = response.content.decode()
    assert response.status_code in (200, 400)
    assert NewsItem.objects.count() == 0
    assert notes in text and FIELDS["place"] in text
    assert f"{MAX_COVERAGE_NOTES_CHARS}" in text.replace(".", "").replace("\xa0", "")

    at_limit = "n" * MAX_COVERAGE_NOTES_CHARS
    response = client.post("/kerja/berita/baru/", {**FIELDS, "notes": at_limit})
    assert response.status_code == 302
    assert NewsItem.objects.get().notes == at_limit

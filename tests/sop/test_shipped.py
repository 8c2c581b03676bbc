"""The shipped definition of SOP SDM.6.OT.02.02-3002 validates and follows seed/READING.md."""

from __future__ import annotations

import datetime as dt

import pytest

from warta.sop.loader import load_definition_file, validate_file
from warta.sop.services import DEFINITIONS_DIR, shipped_definition_paths

SHIPPED = DEFINITIONS_DIR / "sdm-6-ot-02-02-3002.yaml"


@pytest.fixture(scope="module")
def sop():
    return load_definition_file(SHIPPED)


def test_every_shipped_definition_validates():
    paths = shipped_definition_paths()
    assert SHIPPED in paths
    for path in paths:
        assert validate_file(path) == [], path


def test_identity(sop):
    identity = sop.identity
    assert sop.code == "SDM.6.OT.02.02-3002"
    assert identity.number == "SDM.6.OT.02.02-3002"
    assert identity.name == "SOP Pengunggahan Informasi (Kehumasan)"
    assert identity.institution == (
        "Kementerian Hukum dan Hak Asasi Manusia RI",
        "Badan Pengembangan Sumber Daya Manusia Hukum dan HAM",
        "Politeknik Imigrasi",
    )
    assert identity.created == dt.date(2024, 7, 2)
    assert identity.revised is None
    assert identity.effective == dt.date(2024, 7, 2)
    assert sop.version.startswith("2024-07-02+")


def test_approver_is_kept_as_read_without_inventing_the_missing_digit(sop):
    official = sop.identity.approved_by
    assert official.name == "Wisnu Widayat"
    assert official.nip == "1964 1261987031001"
    assert sum(c.isdigit() for c in official.nip) == 17
    assert "17 digit" in official.note and "PENGA" in official.note


def test_header_lists(sop):
    assert len(sop.legal_basis) == 4
    assert "Nomor 14 Tahun 2008" in sop.legal_basis[0]
    assert "M.HH-04.02 Tahun 2011" in sop.legal_basis[1]
    assert "Nomor 59 Tahun 2016" in sop.legal_basis[2]
    assert "Nomor 28 Tahun 2020" in sop.legal_basis[3]
    assert len(sop.qualifications) == 2
    assert sop.equipment == ("Komputer/Printer", "Jaringan Internet")
    assert len(sop.warnings) == 2
    assert "penyimpangan atas mutu baku" in sop.warnings[1]
    assert len(sop.recording) == 2


def test_roles_and_artifacts(sop):
    assert [r.id for r in sop.roles] == ["staf_humas", "kasubbag_umum_rt", "kabag_adm_umum"]
    assert sop.role("staf_humas").supervisor == "kasubbag_umum_rt"
    assert sop.role("kasubbag_umum_rt").supervisor == "kabag_adm_umum"
    assert sop.role("kabag_adm_umum").supervisor is None
    assert [a.id for a in sop.artifacts] == ["naskah", "foto", "video", "alt_foto"]
    # The photos' alt text (accessibility) is required only where the SOP publishes.
    assert [s.id for s in sop.steps if "alt_foto" in {i.artifact for i in s.kelengkapan.items}] == [
        "unggah"
    ]


def test_seven_steps_with_their_actors_and_time_standards(sop):
    rows = [s for s in sop.steps if not s.is_end]
    assert [s.number for s in rows] == ["1", "2", "3", "4", "5", "6", "7"]
    assert [s.id for s in rows] == [
        "catat",
        "edit",
        "periksa",
        "lapor_kabag",
        "izin",
        "perintah_unggah",
        "unggah",
    ]
    assert [s.actor for s in rows] == [
        "staf_humas",
        "staf_humas",
        "kasubbag_umum_rt",
        "kasubbag_umum_rt",
        "kabag_adm_umum",
        "kasubbag_umum_rt",
        "staf_humas",
    ]
    minutes = [None if s.time is None else s.time.total_seconds() / 60 for s in rows]
    assert minutes == [30, 120, 10, 10, 10, None, 5]
    assert sop.start == "catat"
    for step in rows:
        assert step.activity and step.kelengkapan.text and step.output.text


def test_step_6_is_reconstructed_with_unknown_time(sop):
    step = sop.step("perintah_unggah")
    assert step.reconstructed and step.time_unknown and step.time is None
    assert step.note
    assert [s.id for s in sop.steps if s.reconstructed] == ["perintah_unggah"]


def test_kasubbag_check_returns_the_draft_for_revision(sop):
    step = sop.step("periksa")
    assert step.kind == "decision"
    assert step.branch("setuju").next == "lapor_kabag"
    back = step.branch("kembalikan")
    assert (back.next, back.reason_required, back.revision) == ("edit", True, True)


def test_forwarding_to_the_kabag_is_an_automatic_relay(sop):
    assert sop.step("lapor_kabag").kind == "automatic"
    assert sop.step("lapor_kabag").next == "izin"


def test_kabag_can_permit_return_or_refuse(sop):
    step = sop.step("izin")
    assert step.kind == "decision"
    assert step.branch("izinkan").next == "perintah_unggah"
    refuse = step.branch("tolak")
    assert refuse.reason_required and sop.step(refuse.next).result == "refused"
    back = step.branch("kembalikan")
    assert (back.next, back.reason_required, back.revision) == ("edit", True, True)


def test_upload_ends_the_case(sop):
    assert sop.step("unggah").next == "terunggah"
    assert sop.step("terunggah").result == "completed"
    assert "diunggah" in sop.step("unggah").output.text


def test_kelengkapan_policy_video_is_a_deviation_the_rest_blocks(sop):
    for step in sop.steps:
        for item in (*step.kelengkapan.items, *step.output.items):
            expected = "deviation" if item.artifact == "video" else "block"
            assert item.on_missing == expected, (step.id, item)
    assert {i.artifact for i in sop.step("catat").kelengkapan.items} == {"naskah", "foto", "video"}


def test_the_author_never_approves_their_own_draft(sop):
    assert sop.excluded_steps_for("catat") == {"periksa", "izin"}
    assert sop.excluded_steps_for("edit") == {"periksa", "izin"}
    assert sop.excluded_steps_for("periksa") == set()


def test_file_says_where_it_reconstructs():
    text = SHIPPED.read_text(encoding="utf-8")
    for marker in ("RECONSTRUCTED", "only a flowchart arrow", "Politeknik Pengayoman Indonesia"):
        assert marker in text

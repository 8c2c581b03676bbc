"""``warta sop validate | load | list | show`` and the load service behind them."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from warta.sop import selectors
from warta.sop.errors import DefinitionInvalid
from warta.sop.models import SopVersion
from warta.sop.services import DEFINITIONS_DIR, load_shipped, load_sop

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = DEFINITIONS_DIR / "sdm-6-ot-02-02-3002.yaml"
MINIMAL = FIXTURES / "valid-minimal.yaml"
CODE = "SDM.6.OT.02.02-3002"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("sop", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def events(action: str = "sop.loaded"):
    from warta.audit.models import Event

    return Event.objects.filter(action=action)


# --- validate (no database) --------------------------------------------------------------


def test_validate_prints_ok_with_code_and_version():
    out, _err = run("validate", str(SHIPPED), str(MINIMAL))
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{SHIPPED}: ") and CODE in lines[0] and "2024-07-02+" in lines[0]
    assert "TEST.MINI-01" in lines[1]


def test_validate_prints_each_error_and_fails():
    bad = FIXTURES / "unknown-step-next.yaml"
    with pytest.raises(CommandError) as caught:
        run("validate", str(MINIMAL), str(bad), str(FIXTURES / "missing-time.yaml"))
    assert caught.value.returncode == 1


def test_validate_output_lines():
    bad = FIXTURES / "unknown-step-next.yaml"
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("sop", "validate", str(bad), str(MINIMAL), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"{bad}:23: steps[0].next: ")
    assert lines[1].startswith(f"{MINIMAL}: ")


def test_validate_missing_file_is_reported():
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("sop", "validate", "/nonexistent/sop.yaml", stdout=out)
    assert out.getvalue().startswith("/nonexistent/sop.yaml: ")


def _warta(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "WARTA_DATA_DIR": str(data_dir)}
    env.pop("WARTA_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "warta", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_warta_command_exits_1_for_an_invalid_file(tmp_path):
    ok = _warta("sop", "validate", str(SHIPPED), data_dir=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = _warta(
        "sop", "validate", str(SHIPPED), str(FIXTURES / "no-way-out.yaml"), data_dir=tmp_path
    )
    assert bad.returncode == 1
    assert f"{FIXTURES / 'no-way-out.yaml'}:16: steps[0].next: " in bad.stdout


# --- load --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_load_of_an_invalid_file_changes_nothing():
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("sop", "load", str(FIXTURES / "loop-without-exit.yaml"), stderr=err)
    assert caught.value.returncode == 1
    assert "loop-without-exit.yaml:34: steps[3].next: " in err.getvalue()
    assert SopVersion.objects.count() == 0
    assert events().count() == 0


@pytest.mark.django_db
def test_load_of_an_invalid_revision_keeps_the_active_version():
    first = load_sop(path_or_text=MINIMAL)
    with pytest.raises(DefinitionInvalid):
        load_sop(path_or_text=MINIMAL.read_text().replace("time: 30m", "time: soon"))
    assert list(SopVersion.objects.values_list("pk", "is_active")) == [(first.pk, True)]
    assert events().count() == 1


@pytest.mark.django_db
def test_load_is_idempotent():
    out, _ = run("load", str(SHIPPED))
    version = selectors.get_active(CODE)
    assert version.version in out
    assert version.filename == SHIPPED.name
    assert version.source_text == SHIPPED.read_text(encoding="utf-8")
    assert version.revision_date.isoformat() == "2024-07-02"
    again, _ = run("load", str(SHIPPED))
    assert version.version in again
    assert again != out  # "already loaded", not "loaded"
    assert SopVersion.objects.count() == 1
    assert events().count() == 1


@pytest.mark.django_db
def test_reformatted_file_is_the_same_version(tmp_path):
    first = load_sop(path_or_text=MINIMAL)
    copy = tmp_path / "copy.yaml"
    copy.write_text("# only a comment is new\n" + MINIMAL.read_text())
    second = load_sop(path_or_text=copy)
    assert second.pk == first.pk and not second.newly_loaded
    assert SopVersion.objects.count() == 1


@pytest.mark.django_db
def test_a_revision_becomes_active_and_the_old_version_stays(tmp_path, django_user_model):
    owner = django_user_model.objects.create_user(username="ortala", password="x")
    first = load_sop(path_or_text=MINIMAL, loaded_by=owner)
    revised = tmp_path / "revised.yaml"
    revised.write_text(
        MINIMAL.read_text()
        .replace("time: 30m", "time: 45m")
        .replace("created: 2025-01-06", "created: 2025-01-06\n  revised: 2025-02-01")
    )
    second = load_sop(path_or_text=revised, loaded_by=owner)
    assert second.newly_loaded and second.pk != first.pk
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert second.version.startswith("2025-02-01+")
    assert selectors.get_active("TEST.MINI-01") == second
    assert list(selectors.versions_of("TEST.MINI-01")) == [second, first]
    event = events().order_by("-seq").first()
    assert event.actor == owner
    assert event.object_type == "sop.sopversion" and event.object_id == str(second.pk)
    assert event.before == {"active_version": first.version}
    assert event.after["version"] == second.version
    # Loading the old content again does not undo the revision.
    again = load_sop(path_or_text=MINIMAL)
    assert again.pk == first.pk and not again.newly_loaded
    assert selectors.get_active("TEST.MINI-01") == second


@pytest.mark.django_db
def test_load_sop_from_text_and_definition_cache():
    version = load_sop(path_or_text=MINIMAL.read_text(), filename="mini.yaml")
    assert version.filename == "mini.yaml"
    fresh = SopVersion.objects.get(pk=version.pk)
    definition = fresh.definition()
    assert definition.code == "TEST.MINI-01"
    assert definition.content_hash == version.content_hash
    assert fresh.definition() is definition


@pytest.mark.django_db
def test_a_str_is_never_read_as_a_file_name():
    with pytest.raises(DefinitionInvalid) as caught:
        load_sop(path_or_text=str(MINIMAL))
    assert caught.value.errors[0].code == "wrong-type"


@pytest.mark.django_db
def test_load_needs_a_file_or_shipped():
    with pytest.raises(CommandError):
        run("load")


@pytest.mark.django_db
def test_load_by_user(django_user_model):
    user = django_user_model.objects.create_user(username="ortala", password="x")
    run("load", str(MINIMAL), "--by", "ortala")
    assert SopVersion.objects.get().loaded_by == user
    with pytest.raises(CommandError):
        run("load", str(SHIPPED), "--by", "nobody")


@pytest.mark.django_db
def test_load_shipped_is_idempotent_and_never_overrides_a_local_revision(tmp_path):
    out, _ = run("load", "--shipped")
    assert SHIPPED.name in out
    shipped = selectors.get_active(CODE)
    assert shipped.origin == SopVersion.Origin.SHIPPED
    run("load", "--shipped")
    assert SopVersion.objects.count() == 1
    # The SOP owner sets step 6's time standard in a revision.
    local = tmp_path / "revisi.yaml"
    local.write_text(
        SHIPPED.read_text(encoding="utf-8")
        .replace(
            "    time: unknown\n    reconstructed: true\n",
            "    time: 10m\n    reconstructed: true\n",
        )
        .replace("revised: null", "revised: 2025-05-01"),
        encoding="utf-8",
    )
    revision = load_sop(path_or_text=local)
    results = load_shipped()
    assert [(r.status, r.version.pk) for r in results] == [("existing", shipped.pk)]
    assert selectors.get_active(CODE) == revision
    assert selectors.get_active(CODE).definition().step("perintah_unggah").time is not None


@pytest.mark.django_db
def test_load_shipped_keeps_local_when_shipped_content_changes(tmp_path, monkeypatch):
    load_sop(path_or_text=MINIMAL)  # loaded by the owner, origin "file"
    shipped_dir = tmp_path / "definitions"
    shipped_dir.mkdir()
    (shipped_dir / "mini.yaml").write_text(MINIMAL.read_text().replace("time: 30m", "time: 20m"))
    monkeypatch.setattr("warta.sop.services.DEFINITIONS_DIR", shipped_dir)
    (result,) = load_shipped()
    assert result.status == "kept-local"
    assert SopVersion.objects.count() == 1


# --- list and show -----------------------------------------------------------------------


@pytest.mark.django_db
def test_list():
    out, _ = run("list")
    assert out.strip()  # a hint that nothing is loaded
    load_sop(path_or_text=SHIPPED)
    load_sop(path_or_text=MINIMAL)
    load_sop(path_or_text=MINIMAL.read_text().replace("time: 30m", "time: 45m"))
    out, _ = run("list")
    lines = out.splitlines()
    assert len(lines) == 3
    mini = selectors.get_active("TEST.MINI-01")
    assert lines[1].split()[0] == CODE and lines[1].split()[-1] == "1"
    assert "SOP Pengunggahan Informasi (Kehumasan)" in lines[1]
    assert lines[2].split()[0] == "TEST.MINI-01" and lines[2].split()[-1] == "2"
    assert mini.version in lines[2]


def table_rows(text: str) -> list[list[str]]:
    """The activity table of ``sop show`` as rows of cells, each cell's lines joined."""
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        if line.startswith("+"):
            if current:
                rows.append([" ".join(" ".join(part).split()) for part in current])
            current = None
        elif line.startswith("| "):
            cells = [cell.strip() for cell in line[2:-2].split(" | ")]
            if current is None:
                current = [[] for _cell in cells]
            for part, cell in zip(current, cells, strict=True):
                part.append(cell)
    return rows[1:]  # the first row is the header


@pytest.mark.django_db
def test_show_prints_the_sop_readably():
    load_sop(path_or_text=SHIPPED)
    out, _ = run("show", CODE)
    assert max(len(line) for line in out.splitlines()) <= 120
    for text in ("SDM.6.OT.02.02-3002", "02 Juli 2024", "Wisnu Widayat", "DIREKONSTRUKSI"):
        assert text in out
    for heading in (
        "IDENTITAS SOP",
        "DASAR HUKUM",
        "KUALIFIKASI PELAKSANA",
        "PERALATAN/PERLENGKAPAN",
        "PERINGATAN",
        "PENCATATAN DAN PENDATAAN",
        "PELAKSANA",
        "URAIAN KEGIATAN",
    ):
        assert heading in out
    definition = selectors.get_active(CODE).definition()
    rows = table_rows(out)
    steps = [s for s in definition.steps if not s.is_end]
    assert [row[0] for row in rows] == ["1", "2", "3", "4", "5", "6*", "7"]
    for row, step in zip(rows, steps, strict=True):
        _number, activity, actor, kelengkapan, _time, output = row
        assert " ".join(step.activity.split()) in activity
        assert definition.role(step.actor).name in actor
        assert step.kelengkapan.text in kelengkapan
        assert " ".join(step.output.text.split()) in output
    assert [row[4] for row in rows] == [
        "30 menit",
        "2 jam",
        "10 menit",
        "10 menit",
        "10 menit",
        "belum ditetapkan",
        "5 menit",
    ]
    # Decisions show their branches and where each goes.
    assert (
        "Tidak/belum disetujui, kembalikan ke Staf Humas untuk direvisi → langkah 2" in rows[2][1]
    )
    assert "Tidak diizinkan untuk diunggah → selesai: Ditolak" in rows[4][1]
    assert "otomatis" in rows[3][2]


@pytest.mark.django_db
def test_show_a_given_version_and_unknown_ones():
    first = load_sop(path_or_text=MINIMAL)
    load_sop(path_or_text=MINIMAL.read_text().replace("time: 30m", "time: 45m"))
    out, _ = run("show", "TEST.MINI-01", "--version", first.version)
    assert "30 menit" in out and "45 menit" not in out
    out, _ = run("show", "TEST.MINI-01", "--version", first.content_hash[:8])
    assert "30 menit" in out
    with pytest.raises(CommandError):
        run("show", "TEST.MINI-01", "--version", "1999-01-01+000000000000")
    with pytest.raises(CommandError):
        run("show", "NO.SUCH.SOP")

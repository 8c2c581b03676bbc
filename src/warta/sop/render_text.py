"""A plain-text rendering of an SOP definition, for ``warta sop show`` and the admin.

It follows the order of the PermenPAN-RB 35/2012 "SOP AP" document: the identity table, legal
basis, qualifications, equipment, warnings, recording, then the activity table with the mutu
baku columns (kelengkapan, waktu, output). The labels are the document's own Indonesian terms,
like the content they frame, so they are not translated.
"""

from __future__ import annotations

import datetime as dt
import textwrap

from warta.sop.definition import Quality, SopDefinition, Step
from warta.sop.durations import WORKING_DAY

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
RESULTS = {"completed": "selesai", "refused": "ditolak", "cancelled": "dibatalkan"}
KINDS = {"automatic": "otomatis", "decision": "keputusan", "manual": "", "end": "akhir"}
UNKNOWN_TIME = "belum ditetapkan"


def format_date(value: dt.date | None) -> str:
    """``02 Juli 2024``; ``-`` when empty."""
    if value is None:
        return "-"
    return f"{value.day:02d} {MONTHS[value.month - 1]} {value.year}"


def format_time_standard(step: Step) -> str:
    """``30 menit``, ``2 jam``, ``1 jam 30 menit``, ``1 hari kerja``; unknown → belum ditetapkan."""
    if step.time is None:
        return UNKNOWN_TIME if step.time_unknown or not step.is_end else ""
    if step.time >= WORKING_DAY and step.time % WORKING_DAY == dt.timedelta():
        return f"{step.time // WORKING_DAY} hari kerja"
    minutes = int(step.time.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} jam")
    if minutes:
        parts.append(f"{minutes} menit")
    return " ".join(parts) or "0 menit"


def _heading(title: str) -> list[str]:
    return ["", title.upper(), "-" * len(title)]


def _numbered(items: tuple[str, ...], width: int) -> list[str]:
    if not items:
        return ["  -"]
    lines: list[str] = []
    for number, item in enumerate(items, start=1):
        prefix = f"  {number}. "
        lines.extend(
            textwrap.wrap(
                item,
                width=width,
                initial_indent=prefix,
                subsequent_indent=" " * len(prefix),
            )
        )
    return lines


def _field(label: str, values: list[str], width: int) -> list[str]:
    label_width = 20
    lines: list[str] = []
    first = True
    for value in values or ["-"]:
        indent = f"  {label:<{label_width}}: " if first else " " * (label_width + 4)
        wrapped = textwrap.wrap(
            value or "-", width=width, initial_indent=indent, subsequent_indent=" " * len(indent)
        )
        lines.extend(wrapped or [indent.rstrip()])
        first = False
    return lines


def _quality(definition: SopDefinition, quality: Quality) -> list[str]:
    """The SOP's wording, then the items Warta checks; ``±`` marks an item whose absence is
    allowed and recorded as a deviation."""
    paragraphs = [quality.text] if quality.text else []
    if quality.items:
        names = [
            definition.artifact(item.artifact).name
            + (" ±" if item.on_missing == "deviation" else "")
            for item in quality.items
        ]
        paragraphs.append(f"Diperiksa: {', '.join(names)}")
    return paragraphs or ["-"]


def _end_label(step: Step) -> str:
    result = RESULTS.get(step.result or "", step.result or "")
    return step.name if step.name.lower() == result else f"{step.name} ({result})"


def _target(definition: SopDefinition, step_id: str) -> str:
    target = definition.step(step_id)
    if target.is_end:
        return f"selesai: {_end_label(target)}"
    return f"langkah {target.number or target.id}: {target.name}"


def _activity(definition: SopDefinition, step: Step) -> list[str]:
    """The activity column: the SOP's wording, then decisions, where it goes, and remarks."""
    paragraphs = [step.activity or step.name]
    if step.kind == "decision":
        paragraphs.append(f"Keputusan: {step.question or step.name}")
        for branch in step.branches:
            flags = []
            if branch.reason_required:
                flags.append("wajib beri alasan")
            if branch.revision:
                flags.append("putaran revisi")
            suffix = f" ({'; '.join(flags)})" if flags else ""
            paragraphs.append(f"• {branch.label} → {_target(definition, branch.next)}{suffix}")
    elif step.next:
        paragraphs.append(f"→ {_target(definition, step.next)}")
    if step.reconstructed:
        paragraphs.append("[DIREKONSTRUKSI] langkah ini tidak terbaca pada sumber SOP.")
    if step.note:
        paragraphs.append(f"Catatan: {step.note}")
    return paragraphs


def _wrap_cell(paragraphs: list[str], width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, width=width) or [""])
    return lines


def _table(headers: list[str], widths: list[int], rows: list[list[list[str]]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out = [rule, line(headers), rule.replace("-", "=")]
    for row in rows:
        wrapped = [_wrap_cell(cell, width) for cell, width in zip(row, widths, strict=True)]
        height = max(len(cell) for cell in wrapped)
        for index in range(height):
            out.append(line([cell[index] if index < len(cell) else "" for cell in wrapped]))
        out.append(rule)
    return out


def _column_widths(width: int) -> list[int]:
    fixed = {"no": 4, "actor": 16, "time": len(UNKNOWN_TIME)}
    separators = 3 * 6 + 1
    rest = max(width - separators - sum(fixed.values()), 60)
    activity = rest // 2
    kelengkapan = (rest - activity) // 2
    output = rest - activity - kelengkapan
    return [fixed["no"], activity, fixed["actor"], kelengkapan, fixed["time"], output]


def render_text(definition: SopDefinition, *, width: int = 120) -> str:
    """The whole SOP as plain text, at most ``width`` characters wide."""
    identity = definition.identity
    text_width = width - 2
    official = identity.approved_by
    approved = [" ".join(part for part in (official.title, official.name) if part)]
    if official.nip:
        approved.append(f"NIP {official.nip}")
    if official.note:
        approved.append(f"Catatan: {official.note}")

    title = identity.name
    lines = [title, "=" * len(title)]
    lines += _heading("Identitas SOP")
    lines += _field("Instansi", list(identity.institution), text_width)
    if identity.section:
        lines += _field("Bagian/Seksi", [identity.section], text_width)
    lines += _field("Nama SOP", [identity.name], text_width)
    lines += _field("Nomor SOP", [identity.number], text_width)
    lines += _field("Tanggal pembuatan", [format_date(identity.created)], text_width)
    lines += _field("Tanggal revisi", [format_date(identity.revised)], text_width)
    lines += _field("Tanggal efektif", [format_date(identity.effective)], text_width)
    lines += _field("Disahkan oleh", approved, text_width)
    lines += _field("Kode di Warta", [definition.code], text_width)
    lines += _field("Versi definisi", [definition.version], text_width)

    lines += _heading("Dasar hukum")
    lines += _numbered(definition.legal_basis, text_width)
    lines += _heading("Kualifikasi pelaksana")
    lines += _numbered(definition.qualifications, text_width)
    lines += _heading("Peralatan/perlengkapan")
    lines += _numbered(definition.equipment, text_width)
    lines += _heading("Peringatan")
    lines += _numbered(definition.warnings, text_width)
    lines += _heading("Pencatatan dan pendataan")
    lines += _numbered(definition.recording, text_width)

    lines += _heading("Pelaksana")
    for role in definition.roles:
        supervisor = f"; atasan: {definition.role(role.supervisor).name}" if role.supervisor else ""
        lines += textwrap.wrap(
            f"- {role.name} [{role.id}]{supervisor}"
            + (f" — {role.description}" if role.description else ""),
            width=text_width,
            initial_indent="  ",
            subsequent_indent="    ",
        )
    if definition.artifacts:
        lines += _heading("Kelengkapan yang diperiksa")
        for artifact in definition.artifacts:
            lines.append(f"  - {artifact.name} [{artifact.id}]")
    if definition.separation_of_duties:
        lines += _heading("Pemisahan tugas")
        for rule in definition.separation_of_duties:
            performed = ", ".join(_step_label(definition, s) for s in rule.performed)
            excluded = ", ".join(_step_label(definition, s) for s in rule.excluded)
            lines += textwrap.wrap(
                f"- {rule.name}: yang melaksanakan {performed} tidak boleh melaksanakan "
                f"{excluded} dalam perkara yang sama.",
                width=text_width,
                initial_indent="  ",
                subsequent_indent="    ",
            )

    lines += _heading("Uraian kegiatan")
    rows = []
    for step in definition.steps:
        if step.is_end:
            continue
        number = (step.number or "-") + ("*" if step.reconstructed else "")
        actor = definition.role(step.actor).name if step.actor else "-"
        if KINDS.get(step.kind):
            actor += f" ({KINDS[step.kind]})"
        rows.append(
            [
                [number],
                _activity(definition, step),
                [actor],
                _quality(definition, step.kelengkapan),
                [format_time_standard(step)],
                _quality(definition, step.output),
            ]
        )
    lines += _table(
        ["No", "Kegiatan", "Pelaksana", "Kelengkapan", "Waktu", "Output"],
        _column_widths(width),
        rows,
    )
    lines.append(f"  Mulai dari: {_target(definition, definition.start)}")
    ends = [s for s in definition.steps if s.is_end]
    lines.append("  Keadaan akhir: " + ", ".join(_end_label(s) for s in ends))
    if any(
        item.on_missing == "deviation"
        for s in definition.steps
        for item in (*s.kelengkapan.items, *s.output.items)
    ):
        lines.append(
            "  ± boleh tidak ada; bila tidak ada, dicatat sebagai penyimpangan yang "
            "dipertanggungjawabkan pelaksana."
        )
    if any(step.reconstructed for step in definition.steps):
        lines.append(
            "  * direkonstruksi: tidak terbaca pada sumber SOP; waktu yang "
            f"'{UNKNOWN_TIME}' tidak menghasilkan tenggat."
        )
    return "\n".join(lines) + "\n"


def _step_label(definition: SopDefinition, step_id: str) -> str:
    step = definition.step(step_id)
    return f"{step.number} ({step.name})" if step.number else step.name

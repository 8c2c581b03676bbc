"""Compile or check the translation catalogues (django.po, djangojs.po) without GNU gettext.

python scripts/messages.py compile   # write every locale/*/LC_MESSAGES/django*.mo
python scripts/messages.py check     # fail if a .mo is stale or an Indonesian entry is missing
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "warta"


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("**/locale/*/LC_MESSAGES/django*.po"))  # django.po, djangojs.po


def compiled_bytes(po_path: Path) -> bytes:
    return polib.pofile(str(po_path)).to_binary()


def problems() -> list[str]:
    found = []
    for po_path in catalogues():
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.read_bytes() != compiled_bytes(po_path):
            found.append(f"{mo_path}: stale or missing; run `make messages`")
        po = polib.pofile(str(po_path))
        for entry in po.untranslated_entries() + po.fuzzy_entries():
            found.append(f"{po_path}:{entry.linenum}: untranslated or fuzzy: {entry.msgid!r}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "compile":
        for po_path in catalogues():
            po_path.with_suffix(".mo").write_bytes(compiled_bytes(po_path))
            print(f"compiled {po_path.relative_to(ROOT.parent.parent)}")
        return 0
    found = problems()
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

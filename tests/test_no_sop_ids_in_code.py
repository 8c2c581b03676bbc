"""No Python module or template of the product names a step, branch, artifact or role id of a
particular SOP (issue 9): what the software does at a step comes from the definition (``uses:``,
``provided_by:``, ``revision:``, the end state's ``result``), never from an id. The renamed-ids
browser test (tests/browser/test_renamed_sop.py) proves it works; this finds the ids."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import yaml

SRC = Path(__file__).parent.parent / "src" / "warta"
DEFINITIONS = SRC / "sop" / "definitions"

# Words that are an id of the shipped SOP and also ordinary words of the code in another
# meaning; each use allowed here says which meaning. (file, literal) pairs only.
OTHER_MEANINGS = {
    ("media/models.py", "video"): "the kind of a media asset (Asset.Kind.VIDEO)",
    ("media/limits.py", "video"): "the kind of a media asset, whose limit is asked",
    ("publishing/posts.py", "video"): "the kind of a media file sent to a platform",
    ("publishing/platforms/facebook.py", "video"): "a Facebook video post (the Graph API's type)",
    ("publishing/platforms/wordpress.py", "video"): "the kind of a media file sent to WordPress",
    ("publishing/platforms/wordpress.py", "edit"): "WordPress REST API's context=edit",
    ("sop/render_text.py", "ditolak"): "the Indonesian word for an end state's result 'refused'",
}
# Words people read (gettext's arguments) are prose, not references.
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "pgettext_lazy", "_lazy"}


def sop_ids() -> set[str]:
    ids = set()
    for path in DEFINITIONS.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        ids.update(role["id"] for role in data["roles"])
        ids.update(artifact["id"] for artifact in data.get("artifacts", []))
        for step in data["steps"]:
            ids.add(step["id"])
            ids.update(branch["id"] for branch in step.get("branches") or [])
    return ids


def python_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    translated = {
        id(argument)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in GETTEXT
        for argument in node.args
    }
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and id(node) not in translated
    ]


TEMPLATE_LITERAL = re.compile(r"""["']([a-z][a-z0-9_-]*)["']""")


def template_literals(path: Path) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for tag in re.findall(r"{%.*?%}|{{.*?}}", line):  # only inside template logic
            found += [(number, word) for word in TEMPLATE_LITERAL.findall(tag)]
    return found


def offending_uses() -> list[str]:
    ids = sop_ids()
    found = []
    for path in sorted(SRC.rglob("*")):
        relative = path.relative_to(SRC).as_posix()
        if "/migrations/" in f"/{relative}" or relative.startswith("sop/definitions/"):
            continue
        if path.suffix == ".py":
            literals = python_literals(path)
        elif path.suffix in (".html", ".txt") and "/templates/" in f"/{relative}":
            literals = template_literals(path)
        else:
            continue
        for line, value in literals:
            if value in ids and (relative, value) not in OTHER_MEANINGS:
                found.append(f"{relative}:{line}: {value!r}")
    return found


def test_the_shipped_ids_are_known():
    ids = sop_ids()
    assert {"catat", "kembalikan", "tolak", "naskah", "staf_humas"} <= ids


def test_no_module_or_template_names_an_id_of_a_particular_sop():
    assert offending_uses() == []


def test_the_search_would_find_an_id(tmp_path, monkeypatch):
    """The check itself can fail: a literal id in a module or a template is found."""
    module = tmp_path / "newsroom" / "x.py"
    module.parent.mkdir()
    module.write_text('STEP = "kembalikan"\n"""catat in a docstring is prose"""\n')
    template = tmp_path / "newsroom" / "templates" / "x.html"
    template.parent.mkdir()
    template.write_text('{% if step.id == "catat" %}catat as text{% endif %}\n')
    monkeypatch.setattr(sys.modules[__name__], "SRC", tmp_path)
    assert offending_uses() == [
        "newsroom/templates/x.html:1: 'catat'",
        "newsroom/x.py:1: 'kembalikan'",
    ]

"""The translation catalogues are complete and their compiled .mo files are current."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parent.parent / "scripts" / "messages.py"


def load_script():
    spec = importlib.util.spec_from_file_location("messages_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_catalogues_exist_and_are_compiled_and_complete():
    script = load_script()
    assert script.catalogues(), "no translation catalogues found"
    assert script.problems() == []

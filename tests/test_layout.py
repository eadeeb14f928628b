"""The house rules that keep the rooms readable: sizes, one settings module, one store facade."""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app.py", "cli.py", "settings.py", "commands", "geodata", "layers", "messages", "spatial", "views")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _modules() -> list[Path]:
    out = []
    for name in PACKAGES:
        path = ROOT / name
        out += [path] if path.suffix == ".py" else sorted(path.rglob("*.py"))
    return [p for p in out if p.exists()]


def test_modules__none_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in _modules() if (n := len(p.read_text("utf-8").splitlines()))
            > MAX_MODULE_LINES}
    assert long == {}


def test_functions__none_over_60_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.name}"] = n
    assert long == {}


def test_environment__read_only_in_settings():
    pattern = re.compile(r"os\.environ|getenv\(|st\.secrets")
    readers = sorted(str(p.relative_to(ROOT)) for p in _modules() if pattern.search(p.read_text("utf-8")))
    assert readers == ["settings.py"]


def test_backend_kind__asked_only_inside_the_store_package():
    pattern = re.compile(r"is_database\(|isinstance\([^)]*(GeoPackageStore|PostGISStore)|\.kind\s*==")
    askers = sorted(str(p.relative_to(ROOT)) for p in _modules() if pattern.search(p.read_text("utf-8")))
    assert all(a.startswith("geodata/storage/") for a in askers), askers

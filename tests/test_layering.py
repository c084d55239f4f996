"""Imports point one way: okr is pure and loads no I/O or spreadsheet libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent
FORBIDDEN = ("flask", "xlwings", "gspread", "openpyxl", "xlsxwriter", "python_calamine",
             "sqlalchemy", "requests", "pandas", "sync", "addin")  # fmt: skip


def test_importing_okr_loads_no_io_library():
    code = (
        "import sys, pkgutil, importlib, okr\n"
        "for m in pkgutil.iter_modules(okr.__path__): importlib.import_module('okr.' + m.name)\n"
        f"bad = [m for m in {FORBIDDEN!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_okr_source_never_imports_outer_packages():
    for path in (ROOT / "okr").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"

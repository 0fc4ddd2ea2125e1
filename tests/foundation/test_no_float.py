"""No float on any money path: an AST scan of desk/ outside the screen and the simulator.

A float may appear only on a line marked `# float-ok` (durations, timeouts): anything else
named `float`, or a float literal, fails this test with its file and line.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

EXEMPT = {"tui", "sim"}


def float_uses(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        is_float_name = isinstance(node, ast.Name) and node.id == "float"
        is_float_literal = isinstance(node, ast.Constant) and isinstance(node.value, float)
        if (is_float_name or is_float_literal) and "float-ok" not in lines[node.lineno - 1]:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def test_no_float_outside_tui_and_sim() -> None:
    offenders = []
    for path in sorted((REPO / "desk").rglob("*.py")):
        if EXEMPT & set(path.relative_to(REPO / "desk").parts):
            continue
        offenders += float_uses(path)
    assert not offenders, "float on a money path:\n" + "\n".join(offenders)


def test_the_scan_catches_a_float(tmp_path: Path) -> None:
    sample = REPO / "desk" / "_float_probe.py"
    try:
        sample.write_text("x = 0.1\ny: float = 1\n")
        assert len(float_uses(sample)) == 2
    finally:
        sample.unlink()

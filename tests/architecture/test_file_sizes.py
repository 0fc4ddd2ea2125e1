"""No module of desk/ over 400 lines: a file past that holds more than one idea and is split
by idea (issue 15). Counted as `wc -l` counts them, over the source text."""

from __future__ import annotations

from collections.abc import Mapping

from tests.architecture.boundaries import sources

MAX_LINES = 400


def long_files(modules: Mapping[str, str], limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """(path, lines) of every module longer than `limit` lines, longest first."""
    sizes = ((path, text.count("\n")) for path, text in modules.items())
    return sorted(((path, n) for path, n in sizes if n > limit), key=lambda pair: -pair[1])


def test_no_module_of_desk_is_over_400_lines() -> None:
    found = long_files(sources())
    assert not found, "split by idea, each under 400 lines:\n" + "\n".join(f"{p}: {n}" for p, n in found)


def test_the_check_counts_lines_as_wc_does() -> None:
    planted = {"desk/a.py": "x = 1\n" * 400, "desk/b.py": "x = 1\n" * 401, "desk/c.py": "x = 1\n" * 500}
    assert long_files(planted) == [("desk/c.py", 500), ("desk/b.py", 401)]

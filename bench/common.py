"""What the benchmark scripts share: printing their table of figures, ratios and goals."""

from __future__ import annotations

from collections.abc import Sequence

HEADER = ("what", "figure", "ratio", "goal")


def print_table(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    print_grid(title, HEADER, rows)


def print_grid(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A plain-text table: a title, the header, a rule, then the rows, columns left-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print(title)
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())

"""What the benchmark scripts share: printing their table of figures, ratios and goals."""

from __future__ import annotations

HEADER = ("what", "figure", "ratio", "goal")


def print_table(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(4)]
    print(title)
    for row in [HEADER, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())

"""Chart axes: round, evenly spaced ticks from zero, written as amounts (four steps unless
the plot's rows ask for another number)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from desk.tui.ticks import labelled, y_ticks


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([Decimal("5318353914.1")], ["0", "2,000M", "4,000M", "6,000M", "8,000M"]),
        ([Decimal("207450983.8"), Decimal("69150327.9")], ["0", "100M", "200M", "300M", "400M"]),
        ([Decimal("269939.21")], ["0", "100,000", "200,000", "300,000", "400,000"]),
        ([Decimal("0.014"), Decimal("0.0047")], ["0.000", "0.005", "0.010", "0.015", "0.020"]),
        ([], ["0", "1"]),
    ],
)
def test_ticks_are_even_round_and_read_as_amounts(values: list[Decimal], labels: list[str]) -> None:
    assert labelled(values)[1] == labels
    ticks = y_ticks(values)
    assert len({b - a for a, b in itertools.pairwise(ticks)}) == 1
    assert ticks[0] == 0 and ticks[-1] >= max(values, default=Decimal(0))

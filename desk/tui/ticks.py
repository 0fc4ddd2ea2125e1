"""Chart axes a person can read: evenly spaced y ticks on round values, written as amounts
(grouped thousands, millions as `M`), never plotext's own `5318353914.1`.

Plotext picks its ticks from the float range of the data and drops those that collide with
a legend, which left uneven steps; the screens give it these instead.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

#: Multiples of a power of ten a step may take: 1, 2, 2.5, 5.
STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
#: The colours of a chart's series, in order; plotext and Rich know them by the same names.
SERIES_COLOURS = ("cyan", "magenta", "yellow", "green", "blue", "red")
MILLION = Decimal(1_000_000)


def nice_step(top: Decimal, count: int) -> Decimal:
    """The smallest round step such that `count` steps reach `top` (> 0)."""
    rough = top / count
    power = Decimal(1).scaleb(rough.adjusted())
    for unit in (*STEPS, Decimal(10)):
        if unit * power >= rough:
            return unit * power
    return Decimal(10) * power  # pragma: no cover - the loop always returns


def y_ticks(values: list[Decimal], count: int = 4) -> list[Decimal]:
    """From zero, `count` even round steps reaching at least the largest of `values` (a chart
    of amounts starts at zero, so heights compare). Nothing to show: 0 and 1."""
    top = max((v for v in values if v > 0), default=Decimal(0))
    if top == 0:
        return [Decimal(0), Decimal(1)]
    step = nice_step(top, count)
    return [step * i for i in range(count + 1)]


def tick_label(value: Decimal, step: Decimal) -> str:
    """`value` grouped, with the decimals `step` needs; millions as `12.5M` so the axis stays narrow."""
    if step >= MILLION and value:
        value, step = value / MILLION, step / MILLION
        suffix = "M"
    else:
        suffix = ""
    places = max(0, -step.normalize().as_tuple().exponent)  # type: ignore[operator]
    return f"{value:,.{places}f}{suffix}"


def labelled(values: list[Decimal], count: int = 4) -> tuple[list[float], list[str]]:
    """Tick positions (floats: plotext plots floats) and their labels."""
    ticks = y_ticks(values, count)
    step = ticks[1] - ticks[0]
    return [float(t) for t in ticks], [tick_label(t, step) for t in ticks]


def even_y(plt: Any, values: list[Decimal], rows: int) -> None:
    """Round y ticks from zero on `plt`, as many steps as the plot's `rows` have gaps (halved
    while more than six), so each tick falls on a row: four ticks on five rows fell unevenly."""
    steps = rows - 1 if rows > 2 else 4
    while steps > 6 and steps % 2 == 0:
        steps //= 2
    y_at, y_text = labelled(values, steps)
    plt.ylim(y_at[0], y_at[-1])
    plt.yticks(y_at, y_text)


def plot_lines(plt: Any, xs: list[int], series: dict[str, list[Decimal]], rows: int) -> None:
    """Plot each named series in its own colour (the `legend`'s) on `even_y` ticks."""
    for (_name, values), colour in zip(series.items(), itertools.cycle(SERIES_COLOURS)):
        plt.plot(xs, [float(v) for v in values], marker="braille", color=colour)
    even_y(plt, [v for values in series.values() for v in values], rows)


def legend(names: list[str]) -> str:
    """The legend of `plot_lines`' series, as Rich markup for the chart's border (a legend
    inside the plot covered the lines)."""
    return " ".join(f"[{colour}]━ {name}[/]" for name, colour in zip(names, itertools.cycle(SERIES_COLOURS)))


def plot_rows(height: int) -> int:
    """The rows a PlotextPlot plots on, from its content `height` (`widget.size`, inside its
    border): less the title, the frame's top and bottom and the x axis labels."""
    return height - 4

"""What the desk's charts plot: functions of plain data, run in the charts' own process
(desk.tui.chart_process). So each takes its data as arguments (pickled across), and this
module imports plotext, Rich's Text and the tick rules, never Textual: the process starts in
a tenth of a second."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from plotext._dict import themes
from plotext._figure import _figure_class as Plot  # what textual-plotext's Plot is made of
from rich.text import Text

from desk.tui.ticks import even_y, plot_lines, plot_rows

#: What a chart plots: `plotting(figure, height, *args)` on a fresh figure of the chart's size.
Plotting = Callable[..., None]


def build(plotting: Plotting, args: tuple[object, ...], width: int, height: int, theme: tuple[str, object]) -> Text:
    """In the chart process: a fresh figure `width` x `height` in the app's `theme` (its
    plotext name and colours, registered here as textual-plotext registers them in the app),
    plotted by `plotting`, built and decoded from plotext's ANSI text."""
    name, colours = theme
    if colours is not None:
        themes.setdefault(name, colours)
    figure = Plot()
    figure.plotsize(width, height)
    figure.theme(name)
    plotting(figure, height, *args)
    return Text.from_ansi(figure.build())


def inflows(
    plt: Plot, height: int, starts: list[datetime], hourly: bool, frame: str, series: dict[str, list[Decimal]]
) -> None:
    """The dashboard's chart: BTC mined per hour or day by each pool, over the frame."""
    xs = list(range(len(starts)))
    plot_lines(plt, xs, series, plot_rows(height))
    ticks = xs[:: max(1, len(starts) // 5)]
    plt.xticks(ticks, [starts[i].strftime("%H:%M" if hourly else "%m-%d") for i in ticks])
    plt.title(f"BTC mined per {'hour' if hourly else 'day'}, {frame} (w)")


def value(plt: Plot, height: int, points: list[tuple[datetime, Decimal | None]], hourly: bool, title: str) -> None:
    """The valuation screen's chart: the reserve's value at each moment of the frame (None:
    no price then, not drawn)."""
    xs = [i for i, (_at, v) in enumerate(points) if v is not None]
    ys = [float(points[i][1] or 0) for i in xs]
    if len(xs) > 1:
        plt.plot(xs, ys, marker="braille")
    elif xs:  # one priced moment: a dot, not a line to nowhere
        plt.scatter(xs, ys, marker="dot")
    plt.xlim(0, max(1, len(points) - 1))
    ticks = list(range(0, len(points), max(1, len(points) // 4)))
    plt.xticks(ticks, [points[i][0].strftime("%H:%M" if hourly else "%m-%d") for i in ticks])
    # amounts on even steps, never `5318353914.1`
    even_y(plt, [v for _at, v in points if v is not None], plot_rows(height))
    plt.title(title)

"""A plotext chart whose figure is built in the charts' own process (desk.tui.chart_process).

textual-plotext builds its figure inside `render`, on the UI loop (25-35 ms for the
dashboard's chart). Here a screen hands the chart a function of desk.tui.plotting and its
data; the chart has the app's chart process build it, and `render` only shows the text that
comes back.
"""

from __future__ import annotations

from typing import Any

from plotext._dict import themes
from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from desk.tui.chart_process import ChartError
from desk.tui.plotting import Plotting


class Chart(PlotextPlot):
    """A PlotextPlot drawn by `draw` (see the module's docstring)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._plotting: tuple[Plotting, tuple[object, ...]] | None = None
        self._shown = Text("")

    def draw(self, plotting: Plotting, *args: object) -> None:
        """Show what `plotting(figure, height, *args)` plots once it is built; it is built
        again at each new size and theme."""
        self._plotting = (plotting, args)
        self._build()

    def on_resize(self) -> None:
        self._build()

    def _register_theme(self, app_theme_name: str) -> None:
        """textual-plotext's hook when the app's theme changes: built again in its colours."""
        super()._register_theme(app_theme_name)
        self._build()

    def _build(self) -> None:
        width, height = self.size
        if self._plotting is None or not width or not height:
            return
        plotting, args = self._plotting
        name = self._get_plotext_theme_name(self.app.theme)
        charts: Any = self.app.chart_process  # desk.tui.app.DeskApp's

        async def run() -> None:
            try:
                self._shown = await charts.build(plotting, args, width, height, (name, themes.get(name)))
            except ChartError as exc:
                self._shown = Text(f"no chart: {exc}")
            self.refresh()

        # a newer drawing replaces one still building: its result is dropped with its worker
        self.run_worker(run, group="chart", exclusive=True)

    def render(self) -> RenderResult:
        return self._shown

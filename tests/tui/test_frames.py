"""What a frame of the dashboard paints while a sync writes (bench/tui.py's longest frame gap):
the app's own state changing paints nothing by itself, a refresh paints its panels a frame
each, text set again as it was is not painted again, and the chart is built in a process of
its own."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest
from plotext._figure import _figure_class
from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from desk.tui import plotting
from desk.tui.chart_process import ChartError, ChartProcess
from desk.tui.screens.dashboard import DashboardScreen
from desk.tui.widgets.chart import Chart
from desk.tui.widgets.fit import retitle, update_text
from tests.tui.pilot import settle
from tests.waiting import until


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[Screen[object]]:
    """Every frame of a screen (its update, painting what changed), as it happens."""
    updates: list[Screen[object]] = []
    original = Screen._on_timer_update

    def counted(screen: Screen[object]) -> None:
        updates.append(screen)
        original(screen)

    monkeypatch.setattr(Screen, "_on_timer_update", counted)
    return updates


async def test_the_apps_state_changing_repaints_no_screen(make_app) -> None:
    """`data_version`, `feeds` and `sync_status` change several times a second during a sync;
    as reactives of the app, each change repainted the whole screen (App.refresh), 15-25 ms a
    frame. The screens that show them watch them and redraw their own widgets."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        repaints: list[object] = []
        real = screen.refresh

        def recorded(*args: object, **kwargs: object) -> Screen[object]:
            repaints.append((args, kwargs))
            return real(*args, **kwargs)

        screen.refresh = recorded  # type: ignore[method-assign]
        app.data_version += 1
        app.sync_status = "backfilling ocean: 3/25 days"
        app.feeds = tuple(reversed(app.feeds))
        assert repaints == []


async def test_a_dashboard_read_paints_its_panels_a_frame_each(
    make_app, frames: list[Screen[object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """All eight panels' news painted in one frame made it the longest of a busy sync. (A
    part that changes nothing is followed at once: no frame waits for it.)"""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown: dict[str, int] = {}
        for panel in ("_show_prices", "_show_reserve", "_show_recent"):
            real = getattr(DashboardScreen, panel)

            def recorded(self, *args, _real=real, _panel=panel):
                shown[_panel] = len(frames)
                self.query_one("#dash-recent").refresh()  # news to paint, as during a sync
                return _real(self, *args)

            monkeypatch.setattr(DashboardScreen, panel, recorded)
        app.screen.refresh_now()
        await settle(pilot)
        assert shown["_show_prices"] < shown["_show_reserve"] < shown["_show_recent"], shown


async def test_a_new_pool_row_shown_again_before_it_is_mounted_is_updated(make_app) -> None:
    """A pool's row is mounted, which takes a turn of the loop; the next read looked its line
    up by a query and found nothing yet ("No nodes match 'Static'"), which ended the app."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        read = await screen._fetch()
        box = screen.query_one("#inflows-pools")
        await box.remove_children()
        screen._show_inflows(read.figures, read.inflows)
        screen._show_inflows(read.figures, read.inflows)  # the same turn: not mounted yet
        await settle(pilot)
        assert len(box.children) == len(read.inflows) > 0


class Titled(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("one", id="line")


async def test_text_and_titles_set_again_as_they_were_are_not_painted_again() -> None:
    """The dashboard sets every line and title once a second; most read as they did, and
    each one set again was painted anew."""
    app = Titled()
    async with app.run_test() as pilot:
        line = app.query_one("#line", Static)
        update_text(line, "two")
        retitle(line, title="title", subtitle="subtitle")
        await pilot.pause()
        refreshes: list[object] = []
        real = line.refresh

        def recorded(*args: object, **kwargs: object) -> Static:
            refreshes.append((args, kwargs))
            return real(*args, **kwargs)

        line.refresh = recorded  # type: ignore[method-assign]
        update_text(line, "two")
        retitle(line, title="title", subtitle="subtitle")
        assert refreshes == []
        update_text(line, "three")
        retitle(line, subtitle="other")
        assert len(refreshes) == 2
        assert str(line.content) == "three" and line.border_subtitle == "other"


async def test_the_chart_is_built_outside_the_apps_process(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """plotext built the dashboard's chart inside the frame that painted it: 25-35 ms of
    the UI's loop. Here plotext's build refuses to run in the app's process, and the chart
    is drawn all the same."""

    def refused(self: object) -> str:
        raise AssertionError("the chart was built on the app's loop")

    monkeypatch.setattr(_figure_class, "build", refused)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        drawn = app.screen.query_one("#dash-chart", Chart).render()
        assert isinstance(drawn, Text) and "BTC mined per day, 30D (w)" in drawn.plain


async def test_the_chart_process_is_started_again_once_it_ended() -> None:
    charts = ChartProcess()
    try:
        args = (plotting.inflows, ([], False, "30D", {}), 40, 12, ("default", None))
        first = await charts.build(*args)
        assert "BTC mined per day" in first.plain
        pid = charts.pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        again = await charts.build(*args)
        assert "BTC mined per day" in again.plain and charts.pid != pid
    finally:
        await charts.close()


async def test_a_plotting_that_fails_is_said_and_the_process_goes_on() -> None:
    charts = ChartProcess()
    try:
        with pytest.raises(ChartError, match="TypeError"):
            await charts.build(plotting.inflows, ("not", "enough"), 40, 12, ("default", None))
        drawn = await charts.build(plotting.inflows, ([], True, "1D", {}), 40, 12, ("default", None))
        assert "BTC mined per hour, 1D" in drawn.plain
    finally:
        await charts.close()


async def test_a_drawing_given_up_on_leaves_its_answer_to_nobody_else() -> None:
    """A newer drawing cancels the one before (the chart's workers are exclusive). The
    exchange it began still reads its answer, so the next drawing is not handed that one."""
    charts = ChartProcess()
    try:
        older = asyncio.ensure_future(charts.build(plotting.inflows, ([], True, "1D", {}), 40, 12, ("default", None)))
        await until(lambda: charts.pid is not None, "the chart process to start")
        older.cancel()
        newer = await charts.build(plotting.inflows, ([], False, "7D", {}), 40, 12, ("default", None))
        assert "7D" in newer.plain and "1D" not in newer.plain
    finally:
        await charts.close()


async def test_the_register_screen_is_built_with_its_first_page_and_not_laid_out_again_for_nothing(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its first showing read the first page beside its building (the read waited for the
    interpreter's lock while the screen composed, and the rows then came with a layout of
    their own), and Textual laid the whole screen out a second time for the Resize its own
    first layout sends it, at the same size: the register's first paint (bench/tui.py)."""
    again: list[str] = []
    original = Screen._screen_resized

    def resized(screen: Screen[object], size: object) -> None:
        again.append(type(screen).__name__)
        original(screen, size)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_screen_resized", resized)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        pages: list[str] = []
        page = app.register.page

        async def recorded(*args: object, **kwargs: object) -> object:
            pages.append(type(app.screen).__name__)
            return await page(*args, **kwargs)

        monkeypatch.setattr(app.register, "page", recorded)
        again.clear()
        await pilot.press("r")
        await settle(pilot)
        assert type(app.screen).__name__ == "RegisterScreen"
        assert pages == ["DashboardScreen"]  # read before the screen was built, and only then
        assert "RegisterScreen" not in again
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert "RegisterScreen" in again  # a real resize is laid out


async def test_closing_ends_the_chart_process_and_the_drawing_under_way() -> None:
    """The app ends its chart process as it closes: a drawing under way ends then too (no
    task outlives the app), and no child is left running."""
    charts = ChartProcess()
    drawing = asyncio.ensure_future(charts.build(plotting.inflows, ([], True, "1D", {}), 40, 12, ("default", None)))
    await until(lambda: charts.pid is not None, "the chart process to start")
    pid = charts.pid
    await charts.close()
    outcome = (await asyncio.gather(drawing, return_exceptions=True))[0]
    assert isinstance(outcome, (Text, ChartError))
    assert charts.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(ChartError, match="closing"):
        await charts.build(plotting.inflows, ([], True, "1D", {}), 40, 12, ("default", None))

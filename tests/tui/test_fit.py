"""A panel's text updated in place is laid out again only when its height can change: the
dashboard's rows (feeds, pools, sell-through, transfers in flight) change figures many
times a second during a busy sync, and each layout pass of the whole screen made a long
frame (bench/tui.py's frame gap on the dashboard)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget

from desk.tui.widgets.rows import KeyedRows


class Rows(App[None]):
    CSS = "KeyedRows { width: 30; height: auto; }"

    def compose(self) -> ComposeResult:
        yield KeyedRows()


@pytest.fixture
def layouts(monkeypatch: pytest.MonkeyPatch) -> list[Screen[object]]:
    """Every layout pass of a screen, as it happens."""
    passes: list[Screen[object]] = []
    original = Screen._refresh_layout

    def counted(screen: Screen[object], *args: object, **kwargs: object) -> None:
        passes.append(screen)
        original(screen, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return passes


async def showing(pilot: Pilot[None], key: str, *texts: str) -> Widget:
    """Show each of `texts` in turn as the app's one row `key`, a frame each; the row."""
    rows = pilot.app.query_one(KeyedRows)
    for text in texts:
        rows.show([(key, text, "")])
        await pilot.pause()
    return rows.query_one(f"#row-{key}")


async def test_a_figure_that_grows_within_the_width_is_repainted_without_a_layout(layouts: list[object]) -> None:
    async with Rows().run_test(size=(60, 10)) as pilot:
        line = await showing(pilot, "ocean", "ocean   0.5 BTC")
        layouts.clear()
        # longer and shorter, all within 30
        await showing(pilot, "ocean", *(f"ocean   {figure} BTC" for figure in ("0.55", "10.55", "110.55", "9.5")))
        assert layouts == []
        assert str(line.render()) == "ocean   9.5 BTC" and line.size.height == 1


async def test_a_line_that_wraps_is_laid_out_and_takes_its_rows(layouts: list[object]) -> None:
    async with Rows().run_test(size=(60, 10)) as pilot:
        await showing(pilot, "ocean", "short")
        layouts.clear()
        line = await showing(pilot, "ocean", "a line far longer than thirty columns of this panel")
        assert layouts  # the height changed: laid out
        assert line.size.height == 2


async def test_a_wrapped_line_that_keeps_its_rows_is_repainted_without_a_layout(layouts: list[object]) -> None:
    """A feed's status line wider than the panel wraps to two rows whatever its figures say;
    before, each change of its figures took a layout pass of the whole screen."""
    async with Rows().run_test(size=(60, 10)) as pilot:
        line = await showing(pilot, "braiins", "braiins   ok 1s ago · 120 records read, 3 refused")
        assert line.size.height == 2
        layouts.clear()
        await showing(pilot, "braiins", *(f"braiins   ok 2s ago · {n} records read, 3 refused" for n in (121, 1234, 7)))
        assert layouts == []
        assert line.size.height == 2 and "7 records" in str(line.render())


async def test_markup_is_measured_as_it_is_drawn(layouts: list[object]) -> None:
    """A row in markup takes the rows of its text, not of its tags."""
    async with Rows().run_test(size=(60, 10)) as pilot:
        await showing(pilot, "f2main", "[b]f2main[/b]   0.5 BTC")
        layouts.clear()
        await showing(pilot, "f2main", "[b]f2main[/b]   0.55 BTC [dim]paced[/dim]")  # 23 columns, 49 with tags
        assert layouts == []

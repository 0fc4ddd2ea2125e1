"""A panel's text updated in place is laid out again only when its height can change: the
dashboard's rows (feeds, pools, sell-through, transfers in flight) change figures many
times a second during a busy sync, and each layout pass of the whole screen made a long
frame (bench/tui.py's frame gap on the dashboard)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

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


async def test_a_figure_that_grows_within_the_width_is_repainted_without_a_layout(layouts: list[object]) -> None:
    app = Rows()
    async with app.run_test(size=(60, 10)) as pilot:
        rows = app.query_one(KeyedRows)
        rows.show([("ocean", "ocean   0.5 BTC", "")])
        await pilot.pause()
        line = rows.query_one("#row-ocean")
        layouts.clear()
        for figure in ("0.55", "10.55", "110.55", "9.5"):  # longer and shorter, all within 30
            rows.show([("ocean", f"ocean   {figure} BTC", "")])
            await pilot.pause()
        assert layouts == []
        assert str(line.render()) == "ocean   9.5 BTC" and line.size.height == 1


async def test_a_line_that_wraps_is_laid_out_and_takes_its_rows(layouts: list[object]) -> None:
    app = Rows()
    async with app.run_test(size=(60, 10)) as pilot:
        rows = app.query_one(KeyedRows)
        rows.show([("ocean", "short", "")])
        await pilot.pause()
        layouts.clear()
        rows.show([("ocean", "a line far longer than thirty columns of this panel", "")])
        await pilot.pause()
        assert layouts  # the height changed: laid out
        assert rows.query_one("#row-ocean").size.height == 2


async def test_a_wrapped_line_that_keeps_its_rows_is_repainted_without_a_layout(layouts: list[object]) -> None:
    """A feed's status line wider than the panel wraps to two rows whatever its figures say;
    its new figures took a layout pass of the whole screen each time (most of the
    dashboard's layouts during a sync)."""
    app = Rows()
    async with app.run_test(size=(60, 10)) as pilot:
        rows = app.query_one(KeyedRows)
        rows.show([("braiins", "braiins   ok 1s ago · 120 records read, 3 refused", "")])
        await pilot.pause()
        line = rows.query_one("#row-braiins")
        assert line.size.height == 2
        layouts.clear()
        for n in (121, 1234, 7):
            rows.show([("braiins", f"braiins   ok 2s ago · {n} records read, 3 refused", "")])
            await pilot.pause()
        assert layouts == []
        assert line.size.height == 2 and "7 records" in str(line.render())


async def test_markup_is_measured_as_it_is_drawn(layouts: list[object]) -> None:
    """A row in markup takes the rows of its text, not of its tags."""
    app = Rows()
    async with app.run_test(size=(60, 10)) as pilot:
        rows = app.query_one(KeyedRows)
        rows.show([("f2main", "[b]f2main[/b]   0.5 BTC", "")])
        await pilot.pause()
        layouts.clear()
        rows.show([("f2main", "[b]f2main[/b]   0.55 BTC [dim]paced[/dim]", "")])  # 23 columns, 49 with tags
        await pilot.pause()
        assert layouts == []

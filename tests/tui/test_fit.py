"""A panel's text updated in place is laid out again only when its height can change: the
dashboard's rows (feeds, pools, sell-through, transfers in flight) change figures many
times a second during a busy sync, and each layout pass of the whole screen made a long
frame (bench/tui.py's frame gap on the dashboard)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from desk.tui.widgets.fit import rows_if_unwrapped
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


def test_rows_count_only_when_no_line_wraps() -> None:
    assert rows_if_unwrapped("ab\ncd", 2) == 2
    assert rows_if_unwrapped("abc", 2) is None
    assert rows_if_unwrapped("₸₸", 4) == 1  # wide characters count their cells
    assert rows_if_unwrapped("日本", 3) is None

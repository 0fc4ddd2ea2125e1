"""The test driver's own promise: `settle` returns only once the screen is what a snapshot
should see, tables included."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from tests.tui.pilot import settle, tables_laid_out

CELL = "a cell much wider than its header"


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def test_settle_waits_until_a_table_has_laid_out_its_new_rows() -> None:
    """A row added by a worker is measured only when the table's queue next runs empty; a
    snapshot taken before that (a loaded machine made it likely) showed the approvals
    table's columns cut to their headers' width."""
    app = OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        table.add_column("a")
        await settle(pilot)
        table.add_row(CELL)
        assert not tables_laid_out(app.screen)  # the moment the flaky snapshot was taken in
        await settle(pilot)
        assert tables_laid_out(app.screen)
        assert table.ordered_columns[0].content_width == len(CELL)

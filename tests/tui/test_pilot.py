"""The test driver's own promise: `settle` returns only once the screen is what a snapshot
should see, tables included."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from desk.money import BTC, Amount
from desk.register import NewEntry, Posting
from tests.tui.pilot import settle, tables_laid_out
from tests.tui.seed import NOW

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


async def test_settle_waits_until_the_app_has_noticed_a_write(make_app) -> None:
    """The app notices register changes by looking every `interval`: a settle after a write
    returned before it had, and the screens read again after the test (or the snapshot)
    looked. Here it looks every 2 s, so a settle that does not wait for it returns first."""
    app = make_app()
    app.live.interval = 2.0
    async with app.run_test() as pilot:
        await settle(pilot)
        version = app.data_version
        fee = Amount(BTC, "0.0001")
        await app.register.post(
            NewEntry(
                kind="fee",
                ts=NOW - timedelta(hours=1),
                postings=(Posting("assets:wallet:ops", -fee), Posting("expenses:fees", fee)),
                memo="a write the app must notice",
            )
        )
        await settle(pilot)
        assert app.data_version > version

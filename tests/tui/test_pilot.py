"""The test driver's own promise: `settle` returns only once the screen is what a snapshot
should see, tables included."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from textual import work
from textual.app import App, ComposeResult
from textual.screen import Screen
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


class FilledOnMount(Screen[None]):
    """A screen that fills its table from a worker its Mount starts, as the desk's do."""

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_column("a")
        self.fill()

    @work
    async def fill(self) -> None:
        await asyncio.sleep(0)
        self.query_one(DataTable).add_row(CELL)


async def test_settle_looks_again_when_the_screen_changed_while_it_waited() -> None:
    """A key's action can switch the screen a turn after the key, i.e. while settle waits.
    Here the switch lands at the end of settle's last pause: the new screen has not mounted,
    so it has no worker and no table, and the old settle judged it quiet."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        await settle(pilot)
        screen = FilledOnMount()
        pause = pilot.pause
        calls = 0

        async def pause_then_switch(*args, **kwargs) -> None:
            nonlocal calls
            await pause(*args, **kwargs)
            calls += 1
            if calls == 2:
                app.push_screen(screen)

        pilot.pause = pause_then_switch
        await settle(pilot)
        assert app.screen is screen
        assert screen.query_one(DataTable).row_count == 1 and tables_laid_out(screen)

"""Driving the app in tests."""

from __future__ import annotations

from textual.widgets import DataTable
from textual.worker import WorkerCancelled

from tests.waiting import until


def tables_laid_out(screen) -> bool:
    """Every table on `screen` has laid out the rows it holds: a DataTable measures new rows
    (its column widths, its height) when its queue next runs empty, so a picture taken
    between a worker's `add_row` and that moment shows the columns cut short. Its height is
    the header's plus the rows' once it has; and a table refilled with as many rows as it
    had keeps its height while its widths wait to be measured, which only its own marks
    (new rows, updated cells, dimensions to update) tell."""
    for table in screen.query(DataTable):
        header = table.header_height if table.show_header else 0
        if table.virtual_size.height != header + sum(row.height for row in table.rows.values()):
            return False
        if table._require_update_dimensions or table._new_rows or table._updated_cells:
            return False
    return True


async def settle(pilot) -> None:
    """Until the app is quiet: its messages processed, no worker running, no read pending
    on the screen and its tables laid out. Asked again after every wait, since a finishing
    worker may start the next (a dashboard read asked for while one ran) and a deferred read
    comes due later: a wait for that state, never for a duration, so a loaded machine only
    makes it longer. A worker cancelled while awaited (a newer read took its place, which
    a loaded machine makes likely) only means another turn."""

    async def quiet() -> bool:
        await pilot.pause()
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # a newer read replaced it (exclusive workers): not quiet yet
            return False
        await pilot.pause()
        workers_done = all(worker.is_finished for worker in pilot.app.workers)
        pending = getattr(pilot.app.screen, "refresh_pending", False)
        return workers_done and not pending and tables_laid_out(pilot.app.screen)

    await until(quiet, "the app to settle (no worker running, no read pending)")


async def palette(pilot, text: str) -> None:
    """Run the command `text` names from the command palette: typed, then chosen once the
    palette's search (a worker) has listed it; enter pressed before the list is there does
    nothing, which a loaded machine made likely."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*text)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)

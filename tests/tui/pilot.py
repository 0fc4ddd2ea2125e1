"""Driving the app in tests."""

from __future__ import annotations

from textual.widgets import DataTable, Input
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


async def register_noticed(app) -> bool:
    """Whether the app has noticed every change to its register: its watcher looks only a
    few times a second, so a write (the test's, or a form's) moves `data_version`, and the
    screens read again, some time after it; on a loaded machine, after a settle that did
    not wait for it (a reload then ran while the snapshot was taken, or as the app closed).
    An app without the live link (a bare test app) has nothing to notice."""
    live = getattr(app, "live", None)
    return live is None or await live.caught_up()


def steady_cursors(screen) -> None:
    """Stop the blinking of every text cursor on `screen`: an Input's cursor shows and hides
    on a 0.5 s timer, so whether a picture had it depended on how long the machine took to
    get there (the transfer form's snapshot failed under load). Without the blink a focused
    input shows its cursor from the next key or focus on, steadily, and hides it until then."""
    for field in screen.query(Input):
        field.cursor_blink = False


async def settle(pilot) -> None:
    """Until the app is quiet: every register change noticed, its messages processed, no
    worker running, no read pending on the screen and its tables laid out. Asked again after
    every wait, since a finishing worker may start the next (a dashboard read asked for while
    one ran) and a deferred read comes due later: a wait for that state, never for a
    duration, so a loaded machine only makes it longer. The register is asked first: a
    change noticed while the rest is waited for starts its reads before the workers are
    counted. A key's action may switch the screen a turn after the key (the binding runs
    from the screen's queue, the switch from the app's), so while this waited: the new
    screen, before its Mount ran, had no worker and no table and looked quiet; the approvals
    snapshot then caught its table's first fill unmeasured. Such a look is taken again.
    A worker cancelled while awaited (a newer read took its place) only means another turn.
    Text cursors stop blinking (`steady_cursors`)."""

    async def quiet() -> bool:
        screen = pilot.app.screen
        noticed = await register_noticed(pilot.app)
        await pilot.pause()
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # a newer read replaced it (exclusive workers): not quiet yet
            return False
        await pilot.pause()
        if pilot.app.screen is not screen or not screen.is_mounted:
            return False  # the screen changed while this look waited: look again at the new one
        steady_cursors(screen)
        workers_done = all(worker.is_finished for worker in pilot.app.workers)
        pending = getattr(screen, "refresh_pending", False)
        return noticed and workers_done and not pending and tables_laid_out(screen)

    await until(quiet, "the app to settle (register changes noticed, no worker running, no read pending)")


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


def notifications(app) -> list[str]:
    """Every message `app` notifies from now on, kept in a list: a toast is removed once its
    timeout (5-8 s) has passed, which a loaded machine can outlast before a test looks, and a
    screen's result callback (which notifies) runs a turn after the screen closed. Wait for
    the message to be in this list, never for the toast to be still up."""
    said: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        said.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return said


async def confirm(pilot, key: str = "y") -> None:
    """Answer the confirm step an act opens (desk/tui/screens/confirm.py) with `key` (`y`
    does it, `escape` leaves it), once the step is up: its detail is read first, in a worker."""
    from desk.tui.screens.confirm import ConfirmScreen

    await until(lambda: isinstance(pilot.app.screen, ConfirmScreen), "the confirm step to open")
    await pilot.press(key)
    await settle(pilot)

"""Driving the app in tests."""

from __future__ import annotations

from tests.waiting import until


async def settle(pilot) -> None:
    """Until the app is quiet: its messages processed, no worker running and no read pending
    on the screen. Asked again after every wait, since a finishing worker may start the next
    (a dashboard read asked for while one ran) and a deferred read comes due later: a wait for
    that state, never for a duration, so a loaded machine only makes it longer."""

    async def quiet() -> bool:
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        workers_done = all(worker.is_finished for worker in pilot.app.workers)
        return workers_done and not getattr(pilot.app.screen, "refresh_pending", False)

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

"""Driving the app in tests."""

from __future__ import annotations


async def settle(pilot) -> None:
    """Until no worker runs: a finishing worker may start the next (a dashboard read asked
    for while one was running), so one wait_for_complete is not always enough."""
    for _ in range(100):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if all(worker.is_finished for worker in pilot.app.workers):
            if not getattr(pilot.app.screen, "refresh_pending", False):
                return
            await pilot.pause(0.05)  # float-ok: a deferred dashboard refresh is due

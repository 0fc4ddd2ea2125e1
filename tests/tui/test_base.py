"""The screens' one read pattern (desk/tui/screens/base.py): a worker's result reaches the
screen as a message to the widget it is shown in, so one arriving after that widget is gone
(the app closing removes a screen's widgets before it cancels its workers) is dropped by
Textual, on every screen, with no guard of the screen's own; and the footer is built again
only when the keys it shows change."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual.widgets import Footer
from textual.worker import WorkerState

import desk.tui
from tests.tui.pilot import settle
from tests.waiting import until


@pytest.mark.parametrize(("key", "read", "group"), [("f", "refusals", "feeds-refused"), ("d", "recent", "dashboard")])
async def test_a_read_finishing_after_the_screen_lost_its_widgets_is_dropped(
    make_app, monkeypatch: pytest.MonkeyPatch, key: str, read: str, group: str
) -> None:
    """The feeds screen's refused rows failed on the missing table ("No nodes match") and
    ended the app with an error; the dashboard had a guard of its own for it."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        reading, release = asyncio.Event(), asyncio.Event()
        real = getattr(app.register, read)

        async def held(*args, **kwargs):
            reading.set()
            await release.wait()
            return await real(*args, **kwargs)

        monkeypatch.setattr(app.register, read, held)
        screen.load_refused() if key == "f" else screen.refresh_now()
        await until(reading.is_set, "the read to be under way")
        worker = next(w for w in app.workers if w.group == group and not w.is_finished)
        await screen.remove_children()
        release.set()
        await asyncio.gather(worker.wait(), return_exceptions=True)
        assert worker.state == WorkerState.SUCCESS, worker.error


async def test_the_footer_is_built_once_when_a_screen_comes_up_and_not_while_it_is_away(make_app) -> None:
    """Textual's footer rebuilt its two dozen keys on every "bindings may have changed":
    bringing up the register screen built the register's footer twice and the dashboard's,
    out of sight, once more; most of the screen's first paint."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        builds: list[str] = []
        real = Footer.recompose

        async def counted(footer: Footer) -> None:
            builds.append(type(footer.screen).__name__)
            await real(footer)

        Footer.recompose = counted  # type: ignore[method-assign]
        try:
            await pilot.press("r")
            await settle(pilot)
            await pilot.press("d")
            await settle(pilot)
        finally:
            Footer.recompose = real  # type: ignore[method-assign]
        assert builds.count("RegisterScreen") == 1, builds
        assert builds.count("DashboardScreen") == 0, builds  # same keys as when it was left


def test_every_task_of_the_screen_is_a_worker_the_app_sees() -> None:
    """Bare `asyncio.create_task` calls (the live link's watcher and restart) ran beside the
    app: it could neither list them nor cancel them as it closed."""
    tui = Path(desk.tui.__file__).parent
    bare = [str(p.relative_to(tui)) for p in tui.rglob("*.py") if "create_task(" in p.read_text()]
    assert bare == []


async def test_a_register_changing_all_the_time_is_read_once_an_interval_and_the_last_change_is_not_lost(
    make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The valuation screen read again after every change once its previous read had ended:
    during a sync, back to back, all the time. Now it keeps the dashboard's rule (one throttle,
    desk.tui.throttle): within one interval, one read; the changes after it are read once the
    interval is over. The clock is stopped for the test, so the machine's speed does not
    matter."""
    from desk.tui import throttle
    from desk.tui.screens import valuation

    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("V")
        await settle(pilot)
        reads: list[object] = []
        real = valuation.load_valuation

        async def counted(*args, **kwargs):
            reads.append(args)
            return await real(*args, **kwargs)

        monkeypatch.setattr(valuation, "load_valuation", counted)
        stopped = time.monotonic()
        monkeypatch.setattr(throttle, "_now", lambda: stopped, raising=False)
        for _ in range(5):  # not settle: with the clock stopped, the read held back stays pending
            app.data_version += 1
            await pilot.pause()
            await app.workers.wait_for_complete()
        assert len(reads) <= 1, f"{len(reads)} reads for 5 changes within one interval"
        before = len(reads)
        monkeypatch.setattr(throttle, "_now", lambda: stopped + 10, raising=False)
        await until(lambda: len(reads) == before + 1, "the changes held back to be read once the interval is over")
        await settle(pilot)
        assert len(reads) == before + 1


@pytest.mark.parametrize("key", ["d", "V"])
async def test_a_read_the_throttle_holds_back_is_pending_until_it_is_shown(make_app, key: str) -> None:
    """A screen whose reads are throttled (dashboard, valuation) is not settled while one is
    held back to the end of the interval: the valuation screen said it was, so a test that
    wrote to the register looked before the screen read again (it failed beside a CPU hog)."""
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press(key)
        await settle(pilot)
        screen = app.screen
        screen.read_again() if key == "V" else screen.refresh_soon()
        assert screen.refresh_pending  # held back, or started: either way still to be shown
        await settle(pilot)
        assert not screen.refresh_pending

"""A read that ends after the widget it fills is gone is dropped, not applied: the valuation,
reconciliation and reserves screens read in workers that used to update their widgets
directly (a query for a removed widget raised, and the worker's error ended the app). They now
post the result to the widget (desk.tui.screens.base `read`/`deliver`), which Textual refuses
once that widget is removed. Each test holds the read until the target is removed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from desk.valuation import frames
from tests.tui.pilot import settle
from tests.waiting import until


@pytest.mark.parametrize(
    ("name", "key", "target"), [("reconcile", "b", "#rec-status"), ("reserves", "R", "#res-status")]
)
async def test_a_late_read_for_a_removed_widget_is_dropped(make_app, name: str, key: str, target: str) -> None:
    app = make_app()
    started, release = asyncio.Event(), asyncio.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.get_screen(name)
        real = screen.source
        screen.source = lambda app_: _late(real, app_, started, release)
        await pilot.press(key)
        await until(started.is_set, "the read to start")
        await screen.query_one(target).remove()
        release.set()
        await until(lambda: not screen._reading, "the read to end")
        await settle(pilot)
        assert app.is_running and app.screen is screen  # no worker error ended the app
        await pilot.press("q")


async def _late(real: Any, app: Any, started: asyncio.Event, release: asyncio.Event) -> Any:
    started.set()
    await release.wait()
    return await real(app)


async def test_a_late_valuation_for_a_removed_chart_is_dropped(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = asyncio.Event(), asyncio.Event()
    real = frames.load_valuation

    async def late(*args: Any) -> Any:
        started.set()
        await release.wait()
        return await real(*args)

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr("desk.tui.screens.valuation.load_valuation", late)
        await pilot.press("V")
        await until(started.is_set, "the read to start")
        await app.screen.query_one("#val-chart").remove()
        release.set()
        await settle(pilot)
        assert app.is_running and app.screen.id == app.get_screen("valuation").id
        # a read that starts after the chart went (a held-back one coming due) reads nothing:
        # it looked the chart up and ended the app with NoMatches (beside a CPU hog)
        app.screen.action_reload()
        await settle(pilot)
        assert app.is_running and app.screen.id == app.get_screen("valuation").id
        await pilot.press("q")


async def test_a_late_price_warning_for_a_removed_line_is_dropped(make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    """The purchase form reads the market as the price is typed; the form may close meanwhile.
    The warning is delivered to its line, not looked up after the read (NoMatches ended the app)."""
    import desk.tui.screens.acquisition as acquisition
    from tests.tui.test_integrate import PURCHASE

    started, release = asyncio.Event(), asyncio.Event()
    real = acquisition.purchase_price_warning

    async def late(*args: Any) -> Any:
        started.set()
        await release.wait()
        return await real(*args)

    monkeypatch.setattr(acquisition, "purchase_price_warning", late)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        form = app.screen
        values = list(PURCHASE.values())
        for text in values[:-1]:
            await pilot.press(*text, "enter")
        await pilot.press(*values[-1])  # complete, not submitted: the warning is read as typed
        await until(started.is_set, "the price warning's read to start")
        await form.query_one("#acquisition-warning").remove()
        release.set()
        await settle(pilot)
        assert app.is_running and app.screen is form


@pytest.mark.parametrize(("key", "form"), [("t", "TransferForm"), ("S", "AcquisitionForm"), ("B", "AcquisitionForm")])
async def test_a_form_closed_before_its_balances_came_drops_them(make_app, key: str, form: str) -> None:
    """The transfer and acquisition forms read the balances as they open; an operator who
    presses esc at once closes the form before the read ends. The worker then applied them to
    the gone form's fields (NoMatches ended the app; CI caught it once, on a loaded machine)."""
    app = make_app()
    started, release = asyncio.Event(), asyncio.Event()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        real = app.register.balances

        async def late(*args: Any, **kwargs: Any) -> Any:
            started.set()
            await release.wait()
            return await real(*args, **kwargs)

        app.register.balances = late
        await pilot.press(key)
        await until(started.is_set, "the form's read to start")
        screen = app.screen
        assert type(screen).__name__ == form
        await screen.remove_children()  # as a closing form's widgets go, before its workers are cancelled
        release.set()
        await until(lambda: not any(w.is_running for w in app.workers if w.node is screen), "the form's read to end")
        assert app.is_running  # no worker error ended the app
        await pilot.press("escape")
        await until(lambda: type(app.screen).__name__ != form, "the form to close")
        await settle(pilot)
        assert app.is_running  # no worker error ended the app
        await pilot.press("q")

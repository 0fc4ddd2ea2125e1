"""Snapshots of every screen at 120x40 and 80x24 on the seeded register, fixed clock."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.pilot import settle
from tests.tui.seed import NOW, demo_feeds

SIZES = [(120, 40), (80, 24)]


async def _settle(pilot) -> None:
    """Workers done, toasts gone and text cursors steady: a toast's timer, or an input's
    cursor blinking every half second, against a loaded machine's clock would make the
    picture depend on when it is taken."""
    await settle(pilot)
    pilot.app.clear_notifications()
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # the cursor stays shown, as in every picture
    await pilot.pause()


async def _with_feeds(pilot) -> None:
    pilot.app.feeds = demo_feeds(NOW)
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_dashboard(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_with_feeds)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_dashboard_usd_one_day(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await _with_feeds(pilot)
        await pilot.press("c", "w", "w")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_feeds(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await _with_feeds(pilot)
        await pilot.press("f")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_help(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_register_filtered_and_verified(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await pilot.press("r")
        await _settle(pilot)
        await pilot.press("slash")
        pilot.app.screen.query_one("#search").value = "from:2026-11-10 to:2026-11-12"
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("v")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_register(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await pilot.press("r")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_entry_detail(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await pilot.press("r")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_transfer_form(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await pilot.press("t")
        await _settle(pilot)
        await pilot.press(*"assets:wallet:ops", "tab", *"assets:wallet:ops", "tab", *"BTC", "tab", *"9")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_approvals(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await pilot.press("t")
        await _settle(pilot)
        await pilot.press(*"assets:wallet:ops", "tab", *"assets:reserve:cold", "tab", *"BTC", "tab", *"0.1")
        await pilot.press("ctrl+s")
        await _settle(pilot)
        await pilot.press("p")
        await _settle(pilot)

    assert snap_compare(make_app(operators=["aliya", "bolat"]), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_dashboard_light(snap_compare, make_app, size) -> None:
    async def go(pilot) -> None:
        await _with_feeds(pilot)
        await pilot.press("ctrl+t")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_dashboard_in_btc(snap_compare, make_app, size) -> None:
    """Figures in bitcoin: a pool's zero today reads 0.00000000 (it read `0E-8`)."""

    async def go(pilot) -> None:
        await _with_feeds(pilot)
        await pilot.press("c", "c")
        await _settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=go)

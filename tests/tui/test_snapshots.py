"""Snapshots of every screen at 120x40 and 80x24 on the seeded register, fixed clock."""

from __future__ import annotations

import pytest

SIZES = [(120, 40), (80, 24)]


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_dashboard(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_settle)


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

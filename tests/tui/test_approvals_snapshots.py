"""Snapshots of the approvals screen mid-quorum and of the policy screen, fixed clock."""

from __future__ import annotations

import pytest

from tests.tui.pilot import confirm, settle
from tests.tui.test_approvals_flows import controlled  # noqa: F401  (the fixture)

SIZES = [(120, 40), (80, 24)]


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_approvals_mid_quorum(snap_compare, controlled, size) -> None:  # noqa: F811
    async def go(pilot) -> None:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("down", "a")
        await confirm(pilot)
        pilot.app.clear_notifications()  # the toast would hide the message line
        await settle(pilot)

    assert snap_compare(controlled("bolat", "dana"), terminal_size=size, run_before=go)


@pytest.mark.parametrize("size", SIZES, ids=["120x40", "80x24"])
def test_policy_screen(snap_compare, controlled, size) -> None:  # noqa: F811
    async def go(pilot) -> None:
        await pilot.press("P")
        await settle(pilot)

    assert snap_compare(controlled("carl", "dana"), terminal_size=size, run_before=go)

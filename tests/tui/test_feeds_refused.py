"""The feeds screen shows the rows the sync refused and still asks for, and an operator
acknowledges one from the keyboard, with a note, recorded in the chained actions log."""

from __future__ import annotations

import gc
import warnings
from datetime import date

from textual.widgets import DataTable

from desk.register import NewRefusal
from desk.tui.screens.feeds import AcknowledgeDialog, FeedsScreen
from tests.tui.pilot import settle
from tests.tui.seed import NOW, demo_feeds

FEE_OVER = NewRefusal(
    "payout:5f2c0e0b9d4a7e61",
    "payout",
    date(2026, 11, 20),
    "braiins payouts.onchain[0]",
    "braiins payouts.onchain[0].fee_sats: 4276541 sats is more than the payout's 4276540 sats",
)
GARBLED = NewRefusal(
    "payout:0c1d2e3f40516273",
    "transaction",
    date(2026, 11, 21),
    "f2pool transactions[1]",
    "f2pool transactions[1].payout_extra.tx_id: bytes that are not valid UTF-8 ('0c1d2e3f40\\udc80')",
)


async def test_refused_rows_are_shown_and_one_is_acknowledged_with_a_note(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.register.record_refusals("braiins", [FEE_OVER], date(2026, 11, 1), NOW.date())
        await app.register.record_refusals("f2main", [GARBLED], date(2026, 11, 1), NOW.date())
        app.feeds = demo_feeds(NOW)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        refused = screen.query_one("#feeds-refused", DataTable)
        assert refused.row_count == 2
        assert "fee_sats: 4276541 sats is more than" in str(refused.get_row_at(0)[4])
        assert refused.border_title == "refused rows still asked for: 2"
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AcknowledgeDialog)
        await pilot.press("enter")  # no note: refused with the bell, the dialog stays
        assert isinstance(app.screen, AcknowledgeDialog)
        app.screen.query_one("#acknowledge-note").value = "Braiins support: the fee row is a display error"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert refused.row_count == 1 and "f2main" in str(refused.get_row_at(0)[1])
        (acknowledged,) = await app.register.refusals(state="acknowledged")
        assert acknowledged.feed == "braiins" and acknowledged.settled_by == app.register.operator
        assert acknowledged.note == "Braiins support: the fee row is a display error"
        (action,) = await app.register.actions_named("acknowledge_refusal")
        assert action["detail"]["reason"] == FEE_OVER.reason
        assert (await app.register.verify()).ok


async def test_escape_leaves_the_refused_row_open(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.register.record_refusals("braiins", [FEE_OVER], date(2026, 11, 1), NOW.date())
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        assert [r.state for r in await app.register.refusals()] == ["open"]


async def test_refused_rows_asked_for_in_a_burst_leave_no_coroutine_unawaited(make_app) -> None:
    """Each change of the feeds asks for the refused rows again, and a newer ask replaces an
    older one not yet started: the replaced ask must not leave a coroutine never awaited
    (RuntimeWarning "FeedsScreen._load_refused was never awaited")."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await app.register.record_refusals("braiins", [FEE_OVER], date(2026, 11, 1), NOW.date())
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(5):
                screen.load_refused()
            await settle(pilot)
            gc.collect()
        assert not [w for w in caught if "never awaited" in str(w.message)], [str(w.message) for w in caught]
        assert screen.query_one("#feeds-refused", DataTable).row_count == 1

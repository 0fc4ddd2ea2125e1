"""Pilot tests: the screen driven by keys on a real seeded register."""

from __future__ import annotations

from desk.tui.screens.detail import EntryDetail
from desk.tui.screens.register import RegisterScreen, parse_filter
from desk.tui.widgets.register_view import RegisterView
from tests.tui.pilot import palette, settle
from tests.waiting import until


async def test_dashboard_then_register_and_detail(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = str(app.screen.query_one("#dash-recent").render())
        assert "payout" in text
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        view = app.screen.query_one(RegisterView)
        assert view.total == 63
        assert len(view.rows) == 63
        await pilot.press("j", "j", "k")
        assert view.cursor == 1
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EntryDetail)
        await pilot.press("escape")
        await pilot.press("q")


async def test_search_finds_payout_by_tx_prefix(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"deadbeef")
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        assert [e.kind for e in view.rows] == ["payout"]


def test_parse_filter() -> None:
    f = parse_filter("acct:assets:wallet:ops asset:btc kind:payout hello")
    assert (f.account, f.asset, f.kind, f.text) == ("assets:wallet:ops", "BTC", "payout", "hello")


async def test_help_screen_lists_keys(make_app) -> None:
    from desk.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert any("Transfer" in text for _k, text in app.screen.rows)
        await pilot.press("escape")
        await palette(pilot, "Register")
        from desk.tui.screens.register import RegisterScreen

        assert isinstance(app.screen, RegisterScreen)


async def test_dashboard_follows_writes_and_keys_stay_prompt(make_app, seeded) -> None:
    import time
    from datetime import timedelta

    from desk.money import Amount
    from desk.register import NewEntry, Posting, Register
    from tests.tui.seed import BTC, T0

    _settings, path = seeded
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        async with Register.open(path, operator="sync") as writer:
            batch = [
                NewEntry(
                    kind="earning",
                    ts=T0 + timedelta(days=19, seconds=i),
                    postings=(
                        Posting("income:mining:ocean", -Amount(BTC, "0.001")),
                        Posting("assets:pool:ocean", Amount(BTC, "0.001")),
                    ),
                    memo=f"live {i}",
                    source="pool:ocean",
                    external_id=f"live-{i}",
                )
                for i in range(2000)
            ]
            await writer.ingest(batch)
        # the key answered with little work on the screen's thread: its CPU time, which a loaded
        # machine does not stretch; a loop that read the 2,000 new entries itself spends far more
        start = time.thread_time()
        await pilot.press("g")
        await pilot.pause()
        assert time.thread_time() - start < 2.0
        await until(lambda: "2063 entries" in str(app.screen.query_one("#dash-recent").render()), "the new entries")

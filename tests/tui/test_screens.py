"""Pilot tests of the operator's screens: currency, time frames, feeds, date filters, keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import DataTable, Sparkline, Static

from desk.tui.screens.dashboard import FRAMES, DashboardScreen, buckets
from desk.tui.screens.feeds import FeedsScreen
from desk.tui.screens.register import describe, parse_filter
from desk.tui.widgets.register_view import RegisterView
from tests.tui.pilot import notifications, palette, settle
from tests.tui.seed import NOW, demo_feeds


async def search(pilot, text: str) -> None:
    """`/`, the search text (set at once: typing it key by key only slows the test), enter."""
    await pilot.press("slash")
    pilot.app.screen.query_one("#search").value = text
    await pilot.press("enter")
    await settle(pilot)


def text_of(screen, selector: str) -> str:
    return "\n".join(str(w.render()) for w in screen.query(f"{selector} Static"))


async def test_currency_key_changes_the_dashboard_figures(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert app.currency == "KZT"
        reserve_kzt = text_of(screen, "#dash-reserve")
        # 2.52 BTC x 97,398.10 (kraken, fresh USD market) x 512.34 (NBK)
        assert "125,750,375 KZT" in reserve_kzt
        assert "in KZT" in str(screen.query_one("#dash-inflows").border_subtitle)
        await pilot.press("c")
        await settle(pilot)
        assert app.currency == "USD"
        reserve_usd = text_of(screen, "#dash-reserve")
        assert "245,443.21 USD" in reserve_usd  # 2.52 x 97,398.10
        assert "KZT" in reserve_usd  # the total is also shown in tenge
        assert "in USD" in str(screen.query_one("#dash-inflows").border_subtitle)
        await pilot.press("c")
        await settle(pilot)
        assert app.currency == "BTC"
        assert "2.52000000 BTC" in text_of(screen, "#dash-reserve")
        pools = text_of(screen, "#inflows-pools")
        await pilot.press("c")
        await settle(pilot)
        assert app.currency == "KZT"
        assert text_of(screen, "#inflows-pools") != pools


async def test_time_frame_key_switches_chart_and_sparklines(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.frame == "30D"
        assert len(screen.query(Sparkline).first().data) == 30
        await pilot.press("w")
        await settle(pilot)
        assert screen.frame == "1Y"
        assert len(screen.query(Sparkline).first().data) == 365
        assert screen.query_one("#dash-chart").border_title == "inflows 1Y"
        await pilot.press("w")
        await settle(pilot)
        assert screen.frame == "1D"
        hourly = [spark.data for spark in screen.query(Sparkline)]
        assert all(len(d) == 24 for d in hourly)
        # the last 24 hours hold two seeded earnings: f2main at 21:00 yesterday, ocean at 09:00
        assert sorted(sum(d) for d in hourly) == pytest.approx([0.008, 0.0115])


def test_buckets_end_with_the_one_holding_now() -> None:
    for frame, (length, hourly) in FRAMES.items():
        starts = buckets(NOW, frame)
        step = timedelta(hours=1) if hourly else timedelta(days=1)
        assert starts[-1] <= NOW < starts[-1] + step
        assert len(starts) == length / step


async def test_dashboard_shows_feed_health_with_reason_and_countdown(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.feeds = demo_feeds(NOW)
        await settle(pilot)
        rows = app.screen.query("#dash-feeds Static")
        f2main = next(r for r in rows if "f2main" in str(r.render()))
        assert "HTTP 401" in str(f2main.render())
        assert "retry in 42s" in str(f2main.render())
        assert f2main.has_class("-down")
        stale_price = next(r for r in app.screen.query("#dash-prices Static") if "coinbase" in str(r.render()))
        assert stale_price.has_class("-stale")


async def test_feeds_screen_shows_reasons_history_and_polls_the_selected_feed(make_app) -> None:
    app = make_app()
    polled: list[str] = []
    app.poll_feed = lambda name: polled.append(name) or f"asked the sync to poll {name} now"
    async with app.run_test(size=(120, 40)) as pilot:
        app.feeds = demo_feeds(NOW)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FeedsScreen)
        table = screen.query_one(DataTable)
        assert [str(c) for c in table.get_row("f2main")[2:]] == [
            "down",
            "1h ago",
            "42s",
            "HTTP 401: token missing or wrong",
        ]
        assert table.get_row("f2main")[2].style == f"bold {app.current_theme.error}"
        history = str(screen.query_one("#feeds-history", Static).render())
        assert "timeout after 10s" in history
        await pilot.press("n")
        await pilot.press("j", "j")
        await settle(pilot)
        assert "HTTP 429" in str(screen.query_one("#feeds-history", Static).render())
        await pilot.press("n", "k")
        await pilot.press("n")
        assert polled == ["f2main", "binance", "ocean"]


async def test_date_range_narrows_the_register_and_a_bad_date_is_named(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        view = app.screen.query_one(RegisterView)
        assert len(view.rows) == 63
        await search(pilot, "from:2026-11-10 to:2026-11-12")
        assert len(view.rows) == 6
        assert all(datetime(2026, 11, 10, tzinfo=UTC) <= e.ts < datetime(2026, 11, 13, tzinfo=UTC) for e in view.rows)
        assert "6 match from:2026-11-10 to:2026-11-12" in str(app.screen.query_one("#register-status").render())
        await search(pilot, "kind:payout from:2026-11-17")
        assert [e.kind for e in view.rows] == ["payout"]
        await search(pilot, "from:2026-13-01")
        assert "from:2026-13-01: the date must be YYYY-MM-DD" in str(app.screen.query_one("#register-status").render())
        assert [e.kind for e in view.rows] == ["payout"]  # the last good filter stays


async def test_verify_shows_ok_and_the_head_hash(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        line = app.screen.query_one("#register-chain", Static)
        _seq, head = await app.register.head()
        assert "not verified" in str(line.render()) and head[:16] in str(line.render())
        await pilot.press("v")
        await settle(pilot)
        assert "chain OK: 63 entries" in str(line.render()) and head[:16] in str(line.render())
        assert line.has_class("-ok")


async def test_flows_per_day_and_per_hour_agree(seeded) -> None:
    from desk.register import Register
    from tests.tui.seed import earning_amount

    _settings, path = seeded
    since, until = datetime(2026, 11, 11, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC)
    async with Register.open(path, operator="t") as reg:
        daily = await reg.flows("income:mining:", since, until)
        hourly = await reg.flows("income:mining:", since, until, hourly=True)
    # earnings i = 0..18 fall in the window (the 20th, at 2026-11-10 21:00, does not)
    expected = sum(earning_amount(i).units for i in range(19))
    assert sum(-amount.units for _a, _t, amount in daily) == expected
    assert sum(-amount.units for _a, _t, amount in hourly) == expected
    assert len(daily) == 19 and len(hourly) == 19  # one earning per pool and half-day
    assert all(t.hour == 0 for _a, t, _ in daily) and {t.hour for _a, t, _ in hourly} == {9, 21}


def test_parse_filter_dates() -> None:
    f = parse_filter("from:2026-11-01 to:2026-11-20 sweep")
    assert f.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert f.until == datetime(2026, 11, 21, tzinfo=UTC)  # `to:` includes its whole day
    assert f.text == "sweep"
    assert describe(f) == "from:2026-11-01 to:2026-11-20 'sweep'"
    with pytest.raises(ValueError, match="from: is after to:"):
        parse_filter("from:2026-11-20 to:2026-11-01")
    with pytest.raises(ValueError, match="to:2026-11-31: the date must be YYYY-MM-DD"):
        parse_filter("to:2026-11-31")


async def test_j_and_k_move_in_tables(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.feeds = demo_feeds(NOW)
        await pilot.press("f")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.cursor_row == 0
        await pilot.press("j", "j", "j")
        assert table.cursor_row == 3
        await pilot.press("k")
        assert table.cursor_row == 2


async def test_theme_toggle_alert_and_palette_entries(make_app) -> None:
    app = make_app()
    rang: list[bool] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dark = app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark is not dark
        app.bell = lambda: rang.append(True)
        said = notifications(app)
        app.alert("f2main is down: HTTP 401")
        assert rang == [True]
        assert any("f2main is down" in m for m in said)
        await palette(pilot, "Feeds")
        assert isinstance(app.screen, FeedsScreen)
        await palette(pilot, "currency")
        assert app.currency == "USD"


async def test_help_lists_every_shown_binding(make_app) -> None:
    from desk.tui.screens.help import HelpScreen

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # help names a key by its long name where the footer has a short one (Dash: Dashboard)
        shown = {
            b.binding.tooltip or b.binding.description for b in app.screen.active_bindings.values() if b.binding.show
        }
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = {text for _key, text in app.screen.rows}
        assert shown <= listed
        assert {"Currency", "Chart time frame", "Feeds", "Light/dark", "Down", "Up"} <= listed
        # kept out of the footer so it fits 120 columns, never out of help
        assert {"Policy", "Seizure", "Purchase"} <= listed

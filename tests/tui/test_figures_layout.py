"""Figures that read right and fit at 120x40, driven by keys on the seeded desk: each test
is one item of issue 17's "wrong or misleading figures" and "cut off at 120 columns"."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from textual.widgets import DataTable

from desk.money import BNB, USDT, Amount
from desk.register import NewEntry, Posting, Quote, Register
from tests.tui.pilot import settle
from tests.tui.seed import NOW, demo_feeds

SIZE = (120, 40)


def screen_lines(app) -> list[str]:
    """What the terminal shows, line by line."""
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


async def _dashboard(pilot) -> None:
    pilot.app.feeds = demo_feeds(NOW)
    await settle(pilot)


async def test_inflows_in_btc_read_zero_as_a_number_and_say_they_are_earnings(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        await pilot.press("c", "c")  # KZT -> USD -> BTC
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "E-" not in text  # `0E-8` was the f2main pool's "today" in BTC
        assert re.search(r"f2main +0\.00000000 ", text)
        assert "earned today" in text and "inflows: pool earnings" in text


async def test_prices_keep_the_source_apart_from_its_age(make_app, seeded) -> None:
    """The age stands before the source: after it, the demo's "binance:1h 48m" read as an
    age of 1h 48m, and a source as long as its column ran into its age ("coinbasepro100d")."""
    _settings, path = seeded
    old = NOW - timedelta(days=100)
    async with Register.open(path, operator="aliya", clock=lambda: NOW) as reg:
        await reg.record_quotes([Quote("BTC", "USD", Decimal("97000"), "coinbasepro", old, old)])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        prices = [str(w.render()) for w in app.screen.query("#dash-prices Static")]
        line = next(line for line in prices if "coinbase" in line and "100d" in line)
        assert re.search(r" 100d coinbasep…", line), line


async def test_sell_through_keeps_short_beside_its_amount(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        lines = screen_lines(app)
        assert any(re.search(r"short \d[\d,.]* BTC", line) for line in lines), "short and its amount on one line"


async def test_the_inflows_chart_names_each_pool_outside_the_plot_on_even_ticks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        chart = app.screen.query_one("#dash-chart")
        assert "f2main" in str(chart.border_subtitle) and "ocean" in str(chart.border_subtitle)
        axis = [line for line in screen_lines(app) if "┤" in line]
        plotted = "\n".join(line.split("┤", 1)[1] for line in axis)
        assert "f2main" not in plotted and "ocean" not in plotted  # no legend over the lines
        ticks = [Decimal(m) for m in re.findall(r"([\d.]+)┤", "\n".join(axis))]
        steps = {b - a for a, b in zip(sorted(ticks), sorted(ticks)[1:], strict=False)}
        assert len(ticks) >= 3 and len(steps) == 1, f"uneven y ticks {ticks}"


async def test_the_footer_ends_cleanly_and_names_the_screens(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        for key in ("d", "R", "V"):
            await pilot.press(key)
            await settle(pilot)
            footer = screen_lines(app)[-1]
            assert footer.rstrip().endswith("^p palette"), f"a stray character after the palette: {footer!r}"
            # the key of the screen one is on goes nowhere: a tight footer puts it away first
            for shown in ("? Help", "V Value", "b Breaks", "R Proof", "t Transfer"):
                if not shown.startswith(f"{key} "):
                    assert shown in footer, f"{shown!r} missing from {footer!r}"


async def test_register_rows_keep_the_asset_code_of_18_decimal_bnb_and_mark_a_cut(make_app, seeded) -> None:
    _settings, path = seeded
    wei = Amount(BNB, "1234.123456789012345678")
    async with Register.open(path, operator="aliya", clock=lambda: NOW) as reg:
        await reg.post(
            NewEntry(
                kind="opening",
                ts=NOW - timedelta(minutes=1),
                postings=(Posting("equity:opening", -wei), Posting("assets:reserve:cold", wei)),
                memo="a BNB amount to the wei",
            )
        )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await settle(pilot)
        lines = screen_lines(app)
        row = next(line for line in lines if "opening" in line and "BNB" in line)
        assert "≈1,234.12345678 BNB" in row  # cut toward zero, marked, code whole
        assert "equity:opening → assets:reserve:cold" in row
        earning = next(line for line in lines if "income:mining:f2main" in line)
        assert "income:mining:f2main → assets:pool:f2main " in earning  # was "assets:pool:f2mai", cut
        header = next(line for line in lines if "seq" in line and "amount" in line)
        assert header.index("amount") + len("amount") <= row.index("BNB") + len("BNB ") + 1  # right-aligned


async def test_valuation_fits_120_columns_with_dollars_named_and_ticks_as_amounts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _dashboard(pilot)
        await pilot.press("V")
        await settle(pilot)
        for selector in ("#val-assets", "#val-cost"):
            table = app.screen.query_one(selector, DataTable)
            assert table.virtual_size.width <= table.scrollable_content_region.width, f"{selector} is cut"
            assert not any(str(c.label) in ("USD", "cost USD") for c in table.columns.values())
        text = "\n".join(screen_lines(app))
        assert "USD/USDT" in text and "24,496.00 USDT" in text
        assert "40.00000000 BNB" in text
        axis = re.findall(r"([\d,.]+M?)┤", text)
        assert axis and all(re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?M?", label) for label in axis), axis
        assert not re.search(r"\d{7,}", "".join(axis))  # never `5318353914.1`


async def test_a_purchase_draft_shows_what_it_pays(make_app, seeded) -> None:
    _settings, path = seeded
    async with Register.open(path, operator="aliya", clock=lambda: NOW) as reg:
        from desk.operations.acquisition import acquisition_entry

        entry = acquisition_entry(
            reg,
            "purchase",
            {
                "exchange": "aix",
                "order_id": "ord-7",
                "asset": "BTC",
                "amount": "0.25",
                "price": "97412.35",
                "pay": "USDT",
                "into": "",
                "memo": "",
            },
            NOW,
        )
        assert entry.postings[0].amount == -Amount(USDT, "24353.0875")
        await reg.draft(entry)
    app = make_app(operators=["aliya", "bolat"])
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await settle(pilot)
        text = "\n".join(screen_lines(app))
        assert "0.25000000 BTC for 24,353.087500 USDT" in text

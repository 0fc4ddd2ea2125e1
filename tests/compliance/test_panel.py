"""The compliance panel renders a snapshot: status classes, text, and the verify mark."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from textual.app import App, ComposeResult
from textual.widgets import Static

from desk.compliance import ComplianceSnapshot, parse_period, sell_through
from desk.compliance.tables import VERIFY_MARK
from desk.config import DeskSettings, SellRuleSettings
from desk.register import Register
from desk.tui.widgets.compliance_panel import CompliancePanel
from tests.compliance.conftest import NOV, Book
from tests.compliance.test_selling import november


class PanelApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CompliancePanel()


async def snapshot_at(register: Register, settings: DeskSettings, now: datetime) -> ComplianceSnapshot:
    period = parse_period("2026-11")
    rows = await sell_through(register, settings, period, now=now)
    rule = SellRuleSettings(id="kz-2025", effective_from=date(2025, 1, 1), required_share=Decimal("0.75"), source="s")
    return ComplianceSnapshot(period, now, tuple(rows), (rule,))


async def test_the_panel_shows_share_days_left_status_and_the_mark(
    book: Book, register: Register, settings: DeskSettings
) -> None:
    await november(book)
    amber = await snapshot_at(register, settings, datetime(2026, 11, 25, tzinfo=UTC))
    red = await snapshot_at(register, settings, datetime(2026, 12, 2, tzinfo=UTC))
    app = PanelApp()
    async with app.run_test() as pilot:
        panel = app.query_one(CompliancePanel)
        assert "loading" in str(panel.query_one("#compliance-empty", Static).render())
        await panel.show(amber)
        await pilot.pause()
        row = panel.query_one(".compliance-row", Static)
        text = str(row.render())
        assert "BTC  45.0 % of 75.0 % required" in text and "6 d left" in text
        # no price recorded before 25 November: the gap in KZT is missing, not zero
        assert "short 0.30000000 BTC (no KZT price)" in text and "AMBER" in text
        assert row.has_class("-amber") and panel.has_class("-amber")
        assert str(panel.query_one("#compliance-verify", Static).render()) == f"⚠ {VERIFY_MARK}"
        assert panel.border_title == "sell-through 2026-11"
        await panel.show(red)
        await pilot.pause()
        assert panel.has_class("-red") and not panel.has_class("-amber")
        text = str(panel.query_one(".compliance-row", Static).render())
        assert "period over" in text and "short 0.30000000 BTC (15,000,000 KZT) · RED" in text


async def test_an_empty_period_says_so(register: Register, settings: DeskSettings) -> None:
    app = PanelApp()
    async with app.run_test() as pilot:
        panel = app.query_one(CompliancePanel)
        await panel.show(await snapshot_at(register, settings, NOV))
        await pilot.pause()
        assert "nothing mined or sold in 2026-11" in str(panel.query_one("#compliance-empty", Static).render())
        assert panel.has_class("-ok")

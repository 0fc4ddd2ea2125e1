"""Panels updated by a read that outlives them (the app closing mid-read) stay quiet."""

from __future__ import annotations

from desk.tui.widgets.rows import KeyedRows


def test_a_detached_panel_ignores_a_late_update() -> None:
    panel = KeyedRows(id="dash-prices")
    panel.show([("btc", "BTC/USDT 97,000", "")])  # raised MountError before the guard
    assert list(panel.children) == []

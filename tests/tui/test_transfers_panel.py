"""The dashboard's transfers-in-flight panel, driven by keys: hidden while nothing moves,
then each state of an on-chain transfer's life as the register records it, hidden again
once it settled; and its picture with one transfer confirming."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.money import BTC, Amount
from desk.register import Register
from desk.register.transfers import Change
from desk.transfers.drafting import draft_transfer, on_chain_entry
from desk.tui.widgets.transfers_panel import TransfersPanel
from tests.builders import WATCHED_BTC, write_desk_config
from tests.tui.pilot import settle
from tests.tui.seed import CONFIG, NOW, demo_feeds, seed
from tests.waiting import until

TXID = "5d92e5a1" + "c3" * 28


@pytest.fixture
async def seeded(tmp_path: Path) -> tuple[DeskSettings, Path]:
    """The seeded register (tests/tui/conftest.py's `make_app` opens it), on-chain addresses added."""
    settings = load_settings(write_desk_config(tmp_path, CONFIG + WATCHED_BTC), env={})
    return settings, await seed(settings)


async def approved(register: Register, settings: DeskSettings) -> int:
    """0.1 BTC from the ops wallet to cold storage, drafted by aliya and approved by bek."""
    entry = on_chain_entry(settings, "assets:wallet:ops", "assets:reserve:cold", Amount(BTC, "0.1"), NOW, "to cold")
    draft_id = await draft_transfer(register, entry)
    async with Register.open(settings.register.path, operator="bek", clock=lambda: NOW) as checker:
        await checker.approve(draft_id)
    return draft_id


def panel_text(app) -> str:
    return str(app.screen.query_one(TransfersPanel).render())


async def shown(pilot, *parts: str) -> None:
    """Refresh the dashboard (`g`) and wait until the panel shows every one of `parts`."""
    await pilot.press("g")
    await settle(pilot)
    panel = pilot.app.screen.query_one(TransfersPanel)
    await until(lambda: panel.display and all(p in panel_text(pilot.app) for p in parts), f"the panel to show {parts}")


async def test_the_panel_follows_a_transfer_from_approval_to_settlement(make_app, seeded) -> None:
    settings, _path = seeded
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(TransfersPanel)
        assert not panel.display, "nothing in flight: the panel is hidden"

        draft_id = await approved(app.register, settings)
        await shown(pilot, f"#{draft_id} approved 0/3", "no tx yet")

        await app.register.record_transfer(draft_id, Change("broadcast", txid=TXID, fee_units=1200))
        await app.register.record_transfer(draft_id, Change("confirming", confirmations=1))
        await shown(pilot, f"#{draft_id} confirming 1/3", f"tx {TXID[:10]}…", "0.10000000 BTC")
        assert panel.border_title == "transfers in flight (1)"

        await app.register.record_transfer(draft_id, Change("settled", confirmations=3))
        await pilot.press("g")
        await settle(pilot)
        await until(lambda: not panel.display, "the panel to hide once the transfer settled")


async def _confirming(pilot) -> None:
    """One transfer confirming 1/3, the demo feeds shown, the app quiet and without toasts."""
    app = pilot.app
    draft_id = await approved(app.register, app.settings)
    await app.register.record_transfer(draft_id, Change("broadcast", txid=TXID, fee_units=1200))
    await app.register.record_transfer(draft_id, Change("confirming", confirmations=1))
    app.feeds = demo_feeds(NOW)
    await shown(pilot, f"#{draft_id} confirming 1/3")
    app.clear_notifications()
    await pilot.pause()


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
def test_dashboard_with_a_transfer_in_flight(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=_confirming)

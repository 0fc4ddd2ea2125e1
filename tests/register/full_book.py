"""A register with a row in every table: what a copy between backends must carry whole.

Entries (earnings, payouts, an amendment, an approved on-chain transfer settled in its
reserve, a seizure), actions of every kind the chains hold (drafts approved, pending and
rejected, policy proposals, valuations, a checkpoint, transfer states), the kept quotes,
FIFO lots and their days, and what the sync keeps (feed state, host blocks, pool days,
refused rows, a price-history mark). Written through the public API only.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from desk.config import DeskSettings, load_settings
from desk.controls import proposals
from desk.money import BTC, Amount
from desk.register import NewEntry, NewRefusal, Quote, Register
from desk.register.transfers import Change
from desk.transfers.drafting import draft_transfer, on_chain_entry
from desk.valuation import fifo
from desk.valuation.prices import PricePolicy
from desk.valuation.receipt import value_inflows
from tests.builders import WATCHED_BTC, desk_config, write_desk_config
from tests.integrity.conftest import T0, payout
from tests.integrity.conftest import earning as integrity_earning

CONFIG = desk_config(ocean=None, extra=WATCHED_BTC)


def earning(i: int, amount: str = "0.1") -> NewEntry:
    return integrity_earning(i, amount, note=" — Қазақстан")


def prices() -> list[Quote]:
    out = []
    for h in range(-2, 40, 2):
        at = T0 + timedelta(hours=h)
        out.append(Quote("BTC", "USD", Decimal(97_000 + 10 * h) + Decimal("0.01"), "kraken", at, at))
    out.append(Quote("USD", "KZT", Decimal("481.25"), "nbk", T0 - timedelta(hours=5), T0 - timedelta(hours=5)))
    return out


def settings_in(folder: Path) -> DeskSettings:
    """The full book's settings, its config file and register in `folder` (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    return load_settings(write_desk_config(folder, CONFIG), env={})


async def build(settings: DeskSettings) -> None:
    """Write the full book to `settings.register.path` (a new register)."""
    clock = iter(T0 + timedelta(days=3, seconds=s) for s in range(10_000))
    policy = PricePolicy.from_settings(settings)
    async with Register.open(settings.register.path, operator="aliya", create=True, clock=lambda: next(clock)) as reg:
        await reg.init_accounts(settings)
        await reg.record_quotes(prices())
        await reg.ingest([earning(i) for i in range(12)])
        await reg.ingest([payout(3, "0.6", status="confirmed", tx="aa" * 32), payout(5, "0.4", status="queued")])
        await reg.ingest([payout(5, "0.4", status="confirmed", tx="bb" * 32)])  # an amendment
        await value_inflows(reg, policy)
        entry = on_chain_entry(
            settings, "assets:wallet:ops", "assets:reserve:cold", Amount(BTC, "0.25"), T0 + timedelta(hours=20)
        )
        on_chain = await draft_transfer(reg, entry)
        pending = on_chain_entry(
            settings, "assets:wallet:ops", "assets:reserve:cold", Amount(BTC, "0.1"), T0 + timedelta(hours=21)
        )
        await draft_transfer(reg, pending)
        rejected = await draft_transfer(reg, pending)
        await proposals.propose(reg, {"op": "limit_set", "per": "day", "currency": "KZT", "below": "500000000"})
        await proposals.propose(reg, {"op": "limit_set", "per": "month", "asset": "BTC", "below": "5"})
        reg.act_as("bolat")
        await reg.approve(on_chain)
        await reg.reject(rejected, "wrong wallet")
        await proposals.approve(reg, 1)
        reg.act_as("aliya")
        await reg.record_transfer(on_chain, Change("broadcast", txid="cd" * 32, fee_units=1200))
        await reg.record_transfer(on_chain, Change("settled", confirmations=3))
        await reg.ingest([earning(i) for i in range(12, 16)])
        await value_inflows(reg, policy)
        await fifo.advance(reg, policy)
        await reg.checkpoint()
        await reg.record_sync(
            "f2main",
            at=T0 + timedelta(days=3),
            ok=True,
            written=16,
            state="ok",
            reason=None,
            synced_through=date(2026, 11, 3),
        )
        await reg.record_sync("kraken", at=T0 + timedelta(days=3), ok=False, written=0, state="down", reason="HTTP 503")
        await reg.block_host("api.kraken.com", T0 + timedelta(days=4), "rate_limit", "HTTP 429: Retry-After 60")
        await reg.record_pool_days(
            "f2main", [(date(2026, 11, 2), Decimal("1.5E15"), "day", "f2pool")], {date(2026, 11, 3): 2}
        )
        await reg.record_refusals(
            "f2main",
            [NewRefusal("row-7", "payout", date(2026, 11, 2), "payout_history[7]", "amount: not a number")],
            date(2026, 11, 2),
            date(2026, 11, 2),
        )
        async with reg.transaction() as tx:
            await tx.set_mark("price_history:kraken:BTC/USD", "2026-11-03")
        assert (await reg.verify()).ok

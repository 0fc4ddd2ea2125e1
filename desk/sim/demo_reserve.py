"""The demo's reserve: opening balances in the register equal to what the simulated chains
hold at the reserve's addresses, so `desk reserves` on the demo proves clean from the start
(and a test or an operator can then break it through the simulator's hooks). It belongs to
the simulator: only the demo (desk.cli.demo_cmds) and the tests open a register this way."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta

from desk.config import DeskSettings
from desk.feeds.chains.base import units_to_amount
from desk.money import Amount
from desk.proof.proof import reserve_addresses
from desk.register import NewEntry, Posting, Register
from desk.sim.esplora import DEMO_RESERVE, KZTE_DECIMALS

#: Base-unit decimals the simulated chains count in: sats, wei, KZTE's SPL decimals.
CHAIN_DECIMALS = {"bitcoin": 8, "bsc": 18, "solana": KZTE_DECIMALS}


async def open_demo_reserve(
    register: Register,
    settings: DeskSettings,
    balances: Mapping[tuple[str, str], int] = DEMO_RESERVE,
    at: datetime | None = None,
) -> list[int]:
    """Post an opening entry per reserve account and asset for whatever the register still
    lacks against `balances` ((chain, address) -> base units, the simulator's demo reserve by
    default), dated `at` (default: 30 days ago, when the simulated history starts); returns
    the seqs posted (none on a second run)."""
    at = at or datetime.combine(datetime.now(UTC).date() - timedelta(days=30), time(0), tzinfo=UTC)
    wanted: dict[tuple[str, str], Amount] = {}
    for entry in reserve_addresses(settings):
        units = balances.get((entry.chain, entry.address), 0)
        amount = units_to_amount(units, CHAIN_DECIMALS[entry.chain], register.asset(entry.asset), entry.address)
        key = (entry.account, entry.asset)
        wanted[key] = wanted[key] + amount if key in wanted else amount
    posted = []
    for (account, asset), amount in wanted.items():
        missing = amount - await register.balance(account, asset)
        if not missing:
            continue
        posted.append(
            await register.post(
                NewEntry(
                    kind="opening",
                    ts=at,
                    postings=(Posting("equity:opening", -missing), Posting(account, missing)),
                    memo=f"demo reserve opening balance of {account} in {asset}",
                )
            )
        )
    return posted

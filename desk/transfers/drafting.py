"""Drafting a transfer that travels on chain: from its source into `assets:transit:<chain>`,
naming the destination, so that its approval leaves the coins in transit until the chain
settles them (desk/register/transfers.py).

A transfer is on chain when both accounts hold a configured address on the chain that
carries its asset; between accounts without addresses (an exchange sub-account, a book
move) it posts straight to its destination on approval, as before.
"""

from __future__ import annotations

from datetime import datetime

from desk.config import CHAIN_ASSETS, AddressSettings, DeskSettings
from desk.money import Amount
from desk.register import NewEntry, Posting, Register
from desk.register.transfers import transit_account


def chain_of(settings: DeskSettings, source: str, destination: str, asset: str) -> str | None:
    """The chain a transfer of `asset` from `source` to `destination` travels on, or None
    when it does not travel on one desk watches."""
    for chain, carried in CHAIN_ASSETS.items():
        if carried != asset:
            continue
        held = {a.account for a in settings.addresses if a.chain == chain}
        if source in held and destination in held:
            return chain
    return None


def addresses_of(settings: DeskSettings, account: str, chain: str) -> list[AddressSettings]:
    return [a for a in settings.addresses if a.account == account and a.chain == chain]


def on_chain_entry(
    settings: DeskSettings,
    source: str,
    destination: str,
    amount: Amount,
    ts: datetime,
    memo: str = "",
    reference: str | None = None,
) -> NewEntry:
    """The entry to draft for moving `amount` from `source` to `destination`: into transit
    when it travels on chain, straight to the destination otherwise."""
    chain = chain_of(settings, source, destination, amount.asset.code)
    if chain is None:
        return NewEntry(
            kind="transfer",
            ts=ts,
            postings=(Posting(source, -amount), Posting(destination, amount)),
            memo=memo,
            reference=reference,
        )
    return NewEntry(
        kind="transfer",
        ts=ts,
        postings=(Posting(source, -amount), Posting(transit_account(chain), amount)),
        memo=memo,
        reference=reference,
        details={"to": destination, "chain": chain},
    )


async def draft_transfer(register: Register, entry: NewEntry) -> int:
    """Draft `entry` (from `on_chain_entry`), opening its transit account first."""
    if entry.details and "chain" in entry.details:
        await register.open_transit(entry.details["chain"])
    return await register.draft(entry)

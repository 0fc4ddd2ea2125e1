"""The register against the chain: each reserve account's balance per asset, beside what its
addresses hold on chain, to the last unit, and beside what transfers in flight carry.

While a transfer is in flight the chain may be ahead of or behind the book by exactly its
amount (or fee): the proof holds when the difference is one the transfers in flight explain
(desk/transfers/proof.py), and fails only on an unexplained one.

An account with several addresses on one asset is compared once, with the sum of its
addresses. A chain that cannot be read leaves its accounts unproven (never zero): the proof
fails, naming the address and why, and the other chains are still reported.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desk.config import AddressSettings, DeskSettings
from desk.feeds.chains.records import ChainBalance
from desk.feeds.errors import FeedError
from desk.money import Amount
from desk.proof.chains import ChainReader
from desk.register import Register
from desk.register.errors import NotFound
from desk.register.transfers import IN_FLIGHT
from desk.transfers.proof import InFlight, in_flight

RESERVE_PREFIX = "assets:reserve:"


class NoReserveAddresses(Exception):
    """Nothing to prove: no [[addresses]] entry belongs to an assets:reserve:* account."""


@dataclass(frozen=True, slots=True)
class AddressReading:
    """One reserve address as read from its chain (or why it could not be)."""

    entry: AddressSettings
    balance: ChainBalance | None
    error: str | None

    @property
    def on_chain(self) -> Amount | None:
        return self.balance.amount if self.balance else None


@dataclass(frozen=True, slots=True)
class AccountCheck:
    """One reserve account and asset: the register's balance against its addresses' sum."""

    account: str
    asset: str
    register: Amount | None
    readings: tuple[AddressReading, ...]
    problem: str | None = None
    #: transfers in flight on this account and what they explain (desk/transfers/proof.py)
    flight: InFlight | None = None

    @property
    def on_chain(self) -> Amount | None:
        """The sum over the addresses, or None when any address could not be read."""
        amounts = [r.on_chain for r in self.readings]
        if not amounts or any(a is None for a in amounts):
            return None
        total = amounts[0]
        for amount in amounts[1:]:
            total += amount
        return total

    @property
    def difference(self) -> Amount | None:
        """On chain minus register (positive: the chain holds more than the book says)."""
        if self.on_chain is None or self.register is None:
            return None
        return self.on_chain - self.register

    @property
    def in_flight(self) -> Amount | None:
        """What is on its way into (+) or out of (−) the account, as recorded."""
        return self.flight.amount if self.flight and self.flight.transfers else None

    @property
    def explained(self) -> bool:
        """The difference is one that the transfers in flight account for (zero included)."""
        diff = self.difference
        return diff is not None and (not diff or (self.flight is not None and self.flight.explained(diff)))

    @property
    def ok(self) -> bool:
        return self.problem is None and self.explained

    @property
    def errors(self) -> list[str]:
        found = [f"{r.entry.address} ({r.entry.chain}): {r.error}" for r in self.readings if r.error]
        return [self.problem, *found] if self.problem else found


@dataclass(slots=True)
class ReserveReport:
    checked_at: datetime
    register_head: tuple[int, str]
    checks: list[AccountCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def heights(self) -> dict[str, int]:
        """The block height (slot on Solana) each chain was read at: the lowest, if read twice."""
        result: dict[str, int] = {}
        for check in self.checks:
            for r in check.readings:
                if r.balance and r.balance.block_height is not None:
                    chain = r.entry.chain
                    result[chain] = min(result.get(chain, r.balance.block_height), r.balance.block_height)
        return result

    def failures(self) -> list[str]:
        """One line per thing that keeps the proof from holding, naming address and account."""
        lines = []
        for check in self.checks:
            lines += [f"{check.account} {check.asset}: {e}" for e in check.errors]
            diff = check.difference
            if diff and not check.explained:
                addresses = ", ".join(r.entry.address for r in check.readings)
                lines.append(
                    f"{check.account} {check.asset}: chain {check.on_chain} vs register {check.register}, "
                    f"difference {diff.format(code=True)} at {addresses}"
                )
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "checked_at": self.checked_at.isoformat(),
            "ok": self.ok,
            "register_head": {"seq": self.register_head[0], "hash": self.register_head[1]},
            "heights": self.heights,
            "checks": [
                {
                    "account": c.account,
                    "asset": c.asset,
                    "register": _text(c.register),
                    "on_chain": _text(c.on_chain),
                    "difference": _text(c.difference),
                    "in_flight": _text(c.in_flight),
                    "transfers_in_flight": [t.draft_id for t in c.flight.transfers] if c.flight else [],
                    "ok": c.ok,
                    "problem": c.problem,
                    "addresses": [_reading_json(r) for r in c.readings],
                }
                for c in self.checks
            ],
            "failures": self.failures(),
        }


def _text(amount: Amount | None) -> str | None:
    return None if amount is None else format(amount.value, "f")  # 0.000..., never 0E-18


def _reading_json(reading: AddressReading) -> dict[str, Any]:
    balance = reading.balance
    return {
        "address": reading.entry.address,
        "chain": reading.entry.chain,
        "asset": reading.entry.asset,
        "custody": reading.entry.custody,
        "on_chain": _text(reading.on_chain),
        "block_height": balance.block_height if balance else None,
        "as_of": balance.as_of.isoformat() if balance else None,
        "error": reading.error,
    }


def reserve_addresses(settings: DeskSettings) -> list[AddressSettings]:
    return [a for a in settings.addresses if a.account.startswith(RESERVE_PREFIX)]


async def read_address(reader: ChainReader, entry: AddressSettings) -> AddressReading:
    """Never raises for a chain problem: it becomes the reading's error."""
    try:
        return AddressReading(entry, await reader.balance(entry), None)
    except FeedError as exc:
        return AddressReading(entry, None, f"{reader.source_of(entry.chain)} unreachable or failing: {exc.reason}")


async def check_reserves(settings: DeskSettings, register: Register, reader: ChainReader) -> ReserveReport:
    """Read every reserve address at once and compare per account and asset."""
    entries = reserve_addresses(settings)
    if not entries:
        raise NoReserveAddresses(
            "no [[addresses]] entry belongs to an assets:reserve:* account; add the reserve's addresses to the config"
        )
    head = await register.head()
    readings = await asyncio.gather(*(read_address(reader, e) for e in entries))
    groups: dict[tuple[str, str], list[AddressReading]] = {}
    for reading in readings:
        groups.setdefault((reading.entry.account, reading.entry.asset), []).append(reading)
    report = ReserveReport(checked_at=reader.http.clock.now(), register_head=head)
    flying = await register.transfers(IN_FLIGHT)
    for (account, asset), group in groups.items():
        registered, problem = await _register_balance(register, account, asset)
        flight = in_flight(flying, account, registered.asset) if registered is not None else None
        report.checks.append(AccountCheck(account, asset, registered, tuple(group), problem, flight))
    return report


async def _register_balance(register: Register, account: str, asset: str) -> tuple[Amount | None, str | None]:
    if asset not in register.assets():
        return None, f"asset {asset} is not in the register (run `desk init`)"
    try:
        return await register.balance(account, asset), None
    except NotFound:
        return None, f"account {account} is not in the register (run `desk init`)"

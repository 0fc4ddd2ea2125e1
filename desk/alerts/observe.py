"""Gathering the observations the alert rules judge, from the register and the modules that
own each fact. Only what some rule watches is gathered; what cannot be observed is named in
`gaps`, never guessed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from desk.alerts.network import NetworkFacts
from desk.alerts.observations import ComplianceStatus, FeedStatus, Observations, OpenBreak
from desk.alerts.rules import AlertRule
from desk.compliance import ComplianceError, compliance_snapshot
from desk.config import DeskSettings
from desk.money import Amount
from desk.register import PageFilter, Register
from desk.valuation.prices import PriceMissing, PricePolicy, value_of


async def prices(
    register: Register, settings: DeskSettings, rules: Sequence[AlertRule], at: datetime
) -> tuple[dict[tuple[str, str], Decimal], list[str]]:
    """The price of one unit of each watched asset, by desk.valuation's rules."""
    policy = PricePolicy.from_settings(settings)
    found: dict[tuple[str, str], Decimal] = {}
    gaps = []
    for market in sorted({(r.asset or "", r.currency) for r in rules if r.kind == "price"}):
        asset, currency = market
        try:
            unit = Amount(settings.asset(asset), 1)
            found[market] = (await value_of(register, unit, at, currency, policy=policy)).value
        except (KeyError, PriceMissing) as exc:
            gaps.append(f"price {asset}/{currency}: {exc}")
    return found, gaps


async def last_payouts(register: Register, settings: DeskSettings, at: datetime) -> dict[str, datetime | None]:
    """When each configured pool last paid out before `at` (its newest payout entry)."""
    result: dict[str, datetime | None] = {}
    for pool in sorted(settings.pools):
        newest = await register.first(PageFilter(account=f"assets:pool:{pool}", kind="payout", until=at))
        result[pool] = newest.ts if newest else None
    return result


async def compliance(register: Register, settings: DeskSettings, at: datetime) -> list[ComplianceStatus]:
    snapshot = await compliance_snapshot(register, settings, now=at)
    return [
        ComplianceStatus(
            f"{r.period.label} {r.asset}",
            r.status,
            f"share {_pct(r.share)} of {_pct(r.required_share)} required, {r.days_left} days left",
        )
        for r in snapshot.rows
    ]


def _pct(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value * 100:.2f} %"


async def observe(
    register: Register,
    settings: DeskSettings,
    rules: Sequence[AlertRule],
    at: datetime,
    feeds: Sequence[FeedStatus] = (),
    network: NetworkFacts | None = None,
) -> Observations:
    """What `rules` need to be judged at `at`; `feeds` are the feed states the caller knows
    (the sync's own, or those recorded in the register); `network` reads Esplora and the
    pools for the hashprice and reconciliation rules (without it, those are gaps)."""
    kinds = {r.kind for r in rules}
    gaps: list[str] = []
    watched, price_gaps = await prices(register, settings, rules, at) if "price" in kinds else ({}, [])
    gaps += price_gaps
    payouts = await last_payouts(register, settings, at) if "payout_missing" in kinds else {}
    standing: list[ComplianceStatus] = []
    if "compliance" in kinds:
        try:
            standing = await compliance(register, settings, at)
        except (ComplianceError, PriceMissing) as exc:
            gaps.append(f"compliance: {exc}")
    hashprice = None
    breaks: list[OpenBreak] = []
    if kinds & {"hashprice", "reconciliation"} and network is None:
        gaps.append("hashprice and reconciliation: not observed without network access (run inside `desk sync`)")
    elif network is not None:
        if "hashprice" in kinds:
            hashprice, gap = await network.hashprice(at)
            gaps += [gap] if gap else []
        if "reconciliation" in kinds:
            breaks, problems = await network.breaks(at)
            gaps += problems
    return Observations(
        at=at,
        prices=watched,
        hashprice=hashprice,
        breaks=tuple(breaks),
        last_payouts=payouts,
        compliance=tuple(standing),
        feeds=tuple(feeds),
        gaps=tuple(gaps),
    )

"""One function per trigger kind: which subjects the rule's condition holds for now.

Each returns `Candidate`s (a subject, the message, nothing about timing); the engine decides
whether a candidate becomes a notice (edge, debounce, daily cap).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from desk.alerts.observations import Observations
from desk.alerts.rules import AlertRule


@dataclass(frozen=True, slots=True)
class Candidate:
    subject: str
    message: str


def price(rule: AlertRule, obs: Observations) -> list[Candidate]:
    """The asset's price is above `above` or below `below`."""
    value = obs.prices.get((rule.asset or "", rule.currency))
    if value is None:
        return []
    market = f"{rule.asset}/{rule.currency}"
    found = []
    if rule.above is not None and value > rule.above:
        found.append(Candidate(f"{market} above {rule.above}", f"{market} at {value} crossed above {rule.above}"))
    if rule.below is not None and value < rule.below:
        found.append(Candidate(f"{market} below {rule.below}", f"{market} at {value} crossed below {rule.below}"))
    return found


def hashprice(rule: AlertRule, obs: Observations) -> list[Candidate]:
    """The network hashprice is below what a PH/s costs to run (`hashcost`)."""
    if obs.hashprice is None or rule.hashcost is None or obs.hashprice >= rule.hashcost:
        return []
    return [Candidate("hashprice", f"hashprice {obs.hashprice} USD/PH/day is below the hashcost {rule.hashcost}")]


def payout_missing(rule: AlertRule, obs: Observations) -> list[Candidate]:
    """A pool has not paid for `hours` (a pool that pays daily is late after ~26 h)."""
    window = timedelta(hours=rule.hours or 0)
    found = []
    for pool, last in sorted(obs.last_payouts.items()):
        if rule.pool and pool != rule.pool:
            continue
        if last is None:
            continue  # a pool that never paid has no expected payout yet
        if obs.at - last > window:
            late = int((obs.at - last).total_seconds() // 3600)
            found.append(
                Candidate(
                    f"pool {pool}",
                    f"pool {pool} has not paid for {late} h "
                    f"(last payout {last.isoformat()}, expected within {rule.hours} h)",
                )
            )
    return found


def compliance(rule: AlertRule, obs: Observations) -> list[Candidate]:
    """A sell-through period is behind pace or ended short."""
    words = {"amber": "is behind pace", "red": "is past due short of the required share"}
    return [
        Candidate(
            f"sell-through {c.subject}",
            f"sell-through {c.subject} {words[c.state]}" + (f": {c.detail}" if c.detail else ""),
        )
        for c in obs.compliance
        if c.state in words
    ]


def reconciliation(rule: AlertRule, obs: Observations) -> list[Candidate]:
    """An unexplained reconciliation break is open."""
    return [Candidate(f"break {b.subject}", f"reconciliation break {b.subject}: {b.detail}") for b in obs.breaks]


def feed(rule: AlertRule, obs: Observations) -> list[Candidate]:
    """A feed is stale or down (the states the rule names)."""
    return [
        Candidate(f"feed {f.name}", f"feed {f.name} is {f.state}" + (f": {f.reason}" if f.reason else ""))
        for f in obs.feeds
        if f.state in rule.states and (rule.feed is None or rule.feed == f.name)
    ]


TRIGGERS: dict[str, Callable[[AlertRule, Observations], list[Candidate]]] = {
    "price": price,
    "hashprice": hashprice,
    "payout_missing": payout_missing,
    "compliance": compliance,
    "reconciliation": reconciliation,
    "feed": feed,
}

"""Alert rules: a trigger (what to watch and when it fires) and how loudly and how often
to say so. Built from the `[[alerts]]` tables of the configuration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from desk.config import AlertSettings, ConfigError, DeskSettings

#: Kinds that fire when their condition starts to hold (a price crossing a level), not for
#: as long as it holds; the others repeat after their debounce while the condition lasts.
EDGE_KINDS = frozenset({"price"})
#: The feed states a feed rule speaks of unless it names others.
DEFAULT_FEED_STATES = ("stale", "down")


@dataclass(frozen=True, slots=True)
class AlertRule:
    name: str
    kind: str
    level: str
    debounce: timedelta
    daily_cap: int
    asset: str | None = None
    currency: str = "USD"
    above: Decimal | None = None
    below: Decimal | None = None
    hashcost: Decimal | None = None
    pool: str | None = None
    hours: int | None = None
    feed: str | None = None
    states: tuple[str, ...] = ()

    @property
    def edge(self) -> bool:
        return self.kind in EDGE_KINDS

    @classmethod
    def from_settings(cls, index: int, alert: AlertSettings) -> AlertRule:
        return cls(
            name=alert.name or f"{alert.kind}-{index + 1}",
            kind=alert.kind,
            level=alert.level,
            debounce=timedelta(seconds=alert.debounce),
            daily_cap=alert.daily_cap,
            asset=alert.asset,
            currency=alert.currency or "USD",
            above=alert.above,
            below=alert.below,
            hashcost=alert.hashcost,
            pool=alert.pool,
            hours=alert.hours,
            feed=alert.feed,
            states=tuple(alert.states or DEFAULT_FEED_STATES),
        )


def rules_from_settings(settings: DeskSettings) -> list[AlertRule]:
    """Every enabled rule; two rules with one name are a configuration error."""
    rules = [AlertRule.from_settings(i, a) for i, a in enumerate(settings.alerts) if a.enabled]
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if rule.name in seen:
            raise ConfigError([f"alerts.{index}.name: {rule.name!r} names two alert rules; give each its own name"])
        seen.add(rule.name)
    unknown = sorted({r.pool for r in rules if r.pool and r.pool not in settings.pools})
    if unknown:
        raise ConfigError([f"alerts: pool {name!r} is not configured under [pools]" for name in unknown])
    return rules

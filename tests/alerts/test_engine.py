"""Every trigger fires once, is debounced, and is capped per day; with a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from desk.alerts.engine import AlertEngine
from desk.alerts.observations import ComplianceStatus, FeedStatus, Observations, OpenBreak
from desk.alerts.rules import AlertRule, rules_from_settings
from desk.config import ConfigError, load_settings

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def rule(kind: str, **params: object) -> AlertRule:
    base: dict = {"name": kind, "kind": kind, "level": "warning", "debounce": timedelta(minutes=30), "daily_cap": 3}
    return AlertRule(**{**base, **params})


RULES = {
    "price": (
        rule("price", asset="BTC", currency="USD", below=Decimal(90000)),
        lambda at: Observations(at, prices={("BTC", "USD"): Decimal("89999.99")}),
        lambda at: Observations(at, prices={("BTC", "USD"): Decimal("90000")}),
    ),
    "hashprice": (
        rule("hashprice", hashcost=Decimal(45)),
        lambda at: Observations(at, hashprice=Decimal("44.10")),
        lambda at: Observations(at, hashprice=Decimal("45")),
    ),
    "payout_missing": (
        rule("payout_missing", hours=26),
        lambda at: Observations(at, last_payouts={"f2main": at - timedelta(hours=27), "ocean": None}),
        lambda at: Observations(at, last_payouts={"f2main": at - timedelta(hours=2)}),
    ),
    "compliance": (
        rule("compliance"),
        lambda at: Observations(at, compliance=(ComplianceStatus("2026-11 BTC", "amber", "share 6 %"),)),
        lambda at: Observations(at, compliance=(ComplianceStatus("2026-11 BTC", "ok"),)),
    ),
    "reconciliation": (
        rule("reconciliation"),
        lambda at: Observations(at, breaks=(OpenBreak("f2main 2026-11-20", "short by 0.001 BTC"),)),
        lambda at: Observations(at),
    ),
    "feed": (
        rule("feed", states=("stale", "down")),
        lambda at: Observations(at, feeds=(FeedStatus("kraken", "down", "HTTP 500"), FeedStatus("nbk", "ok"))),
        lambda at: Observations(at, feeds=(FeedStatus("kraken", "ok"),)),
    ),
}


@pytest.mark.parametrize("kind", sorted(RULES))
def test_fires_once_then_is_debounced(kind: str) -> None:
    the_rule, firing, _quiet = RULES[kind]
    engine = AlertEngine([the_rule])
    first = engine.evaluate(firing(T0))
    assert len(first) == 1
    notice = first[0]
    assert (notice.rule, notice.level, notice.at) == (kind, "warning", T0)
    assert notice.message
    assert engine.evaluate(firing(T0 + timedelta(minutes=10))) == []  # within the debounce
    assert engine.evaluate(firing(T0 + timedelta(minutes=29))) == []


@pytest.mark.parametrize("kind", sorted(RULES))
def test_quiet_observations_fire_nothing(kind: str) -> None:
    the_rule, _firing, quiet = RULES[kind]
    assert AlertEngine([the_rule]).evaluate(quiet(T0)) == []


@pytest.mark.parametrize("kind", sorted(k for k in RULES if k != "price"))
def test_a_lasting_condition_repeats_after_the_debounce_up_to_the_daily_cap(kind: str) -> None:
    the_rule, firing, _quiet = RULES[kind]
    engine = AlertEngine([the_rule])
    said = [len(engine.evaluate(firing(T0 + timedelta(minutes=31 * i)))) for i in range(6)]
    assert said == [1, 1, 1, 0, 0, 0]  # cap of 3 a day
    assert engine.suppressed[kind] == 3
    next_day = datetime(2026, 11, 25, 0, 5, tzinfo=UTC)
    assert len(engine.evaluate(firing(next_day))) == 1  # a new UTC day, a new allowance


def test_a_price_alert_fires_on_the_crossing_not_while_it_stays_beyond() -> None:
    the_rule, firing, quiet = RULES["price"]
    engine = AlertEngine([the_rule])
    assert len(engine.evaluate(firing(T0))) == 1
    assert engine.evaluate(firing(T0 + timedelta(hours=3))) == []  # still below: no crossing
    assert engine.evaluate(quiet(T0 + timedelta(hours=4))) == []  # back above
    again = engine.evaluate(firing(T0 + timedelta(hours=5)))  # crosses again, debounce long past
    assert [n.message for n in again] == ["BTC/USD at 89999.99 crossed below 90000"]


def test_a_crossing_inside_the_debounce_is_not_repeated() -> None:
    the_rule, firing, quiet = RULES["price"]
    engine = AlertEngine([the_rule])
    assert len(engine.evaluate(firing(T0))) == 1
    engine.evaluate(quiet(T0 + timedelta(minutes=5)))
    assert engine.evaluate(firing(T0 + timedelta(minutes=10))) == []  # flapping around the level


def test_debounce_is_per_subject() -> None:
    engine = AlertEngine([rule("feed", states=("stale", "down"), daily_cap=10)])
    one = Observations(T0, feeds=(FeedStatus("kraken", "down"),))
    two = Observations(T0 + timedelta(minutes=1), feeds=(FeedStatus("kraken", "down"), FeedStatus("nbk", "stale")))
    assert [n.subject for n in engine.evaluate(one)] == ["feed kraken"]
    assert [n.subject for n in engine.evaluate(two)] == ["feed nbk"]


def test_messages_say_what_and_where() -> None:
    notices = {}
    for kind, (the_rule, firing, _quiet) in RULES.items():
        (notice,) = AlertEngine([the_rule]).evaluate(firing(T0))
        notices[kind] = notice.message
    assert notices["hashprice"] == "hashprice 44.10 USD/PH/day is below the hashcost 45"
    assert notices["payout_missing"].startswith("pool f2main has not paid for 27 h")
    assert notices["compliance"] == "sell-through 2026-11 BTC is behind pace: share 6 %"
    assert notices["reconciliation"] == "reconciliation break f2main 2026-11-20: short by 0.001 BTC"
    assert notices["feed"] == "feed kraken is down: HTTP 500"


def test_a_notice_is_one_json_line() -> None:
    (notice,) = AlertEngine([RULES["feed"][0]]).evaluate(RULES["feed"][1](T0))
    assert notice.to_json() == (
        '{"event": "alert", "rule": "feed", "subject": "feed kraken", "message": "feed kraken is down: HTTP 500", '
        '"level": "warning", "at": "2026-11-24T09:00:00+00:00"}'
    )


def test_rules_from_config_and_their_errors() -> None:
    settings = load_settings(
        None,
        env={},
        overrides={
            "pools": {"f2main": {"kind": "f2pool", "user": "u"}},
            "alerts": [
                {"kind": "price", "asset": "BTC", "below": "90000", "debounce": 600, "daily_cap": 2, "name": "btc-low"},
                {"kind": "payout_missing", "pool": "f2main", "hours": 26},
                {"kind": "feed", "enabled": False},
            ],
        },
    )
    rules = rules_from_settings(settings)
    assert [(r.name, r.kind) for r in rules] == [("btc-low", "price"), ("payout_missing-2", "payout_missing")]
    assert rules[0].debounce == timedelta(seconds=600) and rules[0].currency == "USD"
    for alerts, says in (
        ([{"kind": "price", "asset": "BTC"}], "a price alert needs a level"),
        ([{"kind": "hashprice"}], "a hashprice alert needs hashcost"),
        ([{"kind": "feed", "hours": 3}], "a feed alert does not take hours"),
        ([{"kind": "siren"}], "alerts.0.kind"),
    ):
        with pytest.raises(ConfigError) as caught:
            load_settings(None, env={}, overrides={"alerts": alerts})
        assert says in str(caught.value)
    twice = load_settings(
        None,
        env={},
        overrides={"alerts": [{"kind": "compliance", "name": "x"}, {"kind": "reconciliation", "name": "x"}]},
    )
    with pytest.raises(ConfigError, match="'x' names two alert rules"):
        rules_from_settings(twice)

"""Validated records over real sockets: each pool's own hashrate in whatever unit it names,
an absurd exponent named by its field, and one request per window where one answer holds both
earnings and payouts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from desk.config import load_settings
from desk.feeds.errors import Malformed
from desk.feeds.factory import build_feeds
from desk.feeds.feed import Feed
from desk.feeds.pools.braiins import BraiinsClient
from desk.feeds.pools.f2pool import F2PoolClient
from desk.feeds.pools.foundry import FoundryClient
from desk.feeds.pools.ocean import OceanClient
from desk.sim import SimCluster
from tests.builders import NOW
from tests.feeds.conftest import pool
from tests.feeds.pool_samples import FOUNDRY_USER, OCEAN_USER, answers, edit, routes

CLIENTS = {"braiins": BraiinsClient, "f2pool": F2PoolClient, "foundry": FoundryClient, "ocean": OceanClient}
TODAY = NOW.date()


def client_of(kind: str, url: str, http):  # type: ignore[no-untyped-def]
    user = {"f2pool": FOUNDRY_USER, "foundry": FOUNDRY_USER, "ocean": OCEAN_USER}.get(kind)
    return CLIENTS[kind](kind, pool(kind, url, user=user), http)


# ---------------------------------------------------------------------------------- hashrate

#: the Braiins profile sample says 95002345.7712 Gh/s over 24 h and 94877001.1 yesterday
BRAIINS_UNITS = [
    ("Gh/s", Decimal("95002345.7712"), Decimal("95002345771200000")),
    ("Th/s", Decimal("95002.3457712"), Decimal("95002345771200000")),
    ("Ph/s", Decimal("95.0023457712"), Decimal("95002345771200000")),
    ("PH/s", Decimal("400"), Decimal("400000000000000000")),
]


@pytest.mark.parametrize("as_text", [False, True], ids=["number", "string"])
@pytest.mark.parametrize(("unit", "value", "hs"), BRAIINS_UNITS, ids=[u for u, _v, _h in BRAIINS_UNITS])
async def test_braiins_hashrate_in_the_unit_it_names_is_exact_hs(
    serve, http, unit: str, value: Decimal, hs: Decimal, as_text: bool
) -> None:
    def change(data: dict) -> None:
        data["btc"].update(
            hash_rate_unit=unit,
            hash_rate_24h=str(value) if as_text else value,
            hash_rate_yesterday=str(value) if as_text else value,
        )

    bodies = answers("braiins")
    bodies["/accounts/profile/json/btc/"] = edit(bodies["/accounts/profile/json/btc/"], change)
    url = await serve(routes(bodies))
    yesterday, today = await client_of("braiins", url, http).hashrate(TODAY)
    assert (yesterday.day, yesterday.hs, yesterday.basis) == (TODAY - timedelta(days=1), hs, "day")
    assert (today.day, today.hs, today.basis) == (TODAY, hs, "snapshot")
    assert f"({unit})" in today.source


async def test_each_pools_hashrate_endpoint_in_hs(serve, http) -> None:
    found = {}
    for kind in CLIENTS:
        url = await serve(routes(answers(kind)))
        found[kind] = [(h.day, h.hs, h.basis) for h in await client_of(kind, url, http).hashrate(TODAY)]
    assert found["braiins"] == [
        (TODAY - timedelta(days=1), Decimal("94877001100000000"), "day"),
        (TODAY, Decimal("95002345771200000"), "snapshot"),
    ]
    assert found["f2pool"] == [(TODAY, Decimal("100020000000000000"), "snapshot")]  # 1.0002e+17, exactly
    assert found["foundry"] == [
        (date(2026, 11, 23), Decimal(100234567890123456), "day"),
        (TODAY, Decimal(99876543210987654), "snapshot"),
    ]
    assert found["ocean"] == [(date(2026, 11, 23), Decimal(149000000000000), "snapshot")]  # a string of H/s


async def test_the_days_hashrate_rides_on_f2pool_and_foundry_earnings(serve, http) -> None:
    for kind, hs in (("f2pool", Decimal(101234567890123456)), ("foundry", Decimal(100234567890123456))):
        url = await serve(routes(answers(kind)))
        window = await client_of(kind, url, http).window(date(2026, 11, 20), date(2026, 11, 23))
        assert [(h.day, h.hs, h.basis) for h in window.hashrates] == [(date(2026, 11, 21), hs, "day")]


async def test_an_unknown_hashrate_unit_is_named(serve, http) -> None:
    bodies = answers("braiins")
    bodies["/accounts/profile/json/btc/"] = edit(
        bodies["/accounts/profile/json/btc/"], lambda d: d["btc"].update(hash_rate_unit="Sol/s")
    )
    url = await serve(routes(bodies))
    with pytest.raises(Malformed, match=r"braiins profile.btc.hash_rate_yesterday unit: 'Sol/s' is not a hashrate"):
        await client_of("braiins", url, http).hashrate(TODAY)


# ---------------------------------------------------------------------------------- 1e-2000


@pytest.mark.parametrize(
    ("kind", "change", "where"),
    [
        (
            "braiins",
            lambda d: d["btc"]["daily_rewards"][0].update(total_reward="1e-2000"),
            "braiins rewards[0].total_reward",
        ),
        (
            "f2pool",
            lambda d: d["transactions"][0].update(changed_balance=Decimal("1E-2000")),
            "f2pool transactions[0].changed_balance",
        ),
        ("foundry", lambda d: d[0].update(totalAmount=Decimal("1E+2000")), "foundry earnings[0].totalAmount"),
    ],
    ids=["braiins-string", "f2pool-number", "foundry-huge"],
)
async def test_an_absurd_exponent_is_refused_naming_its_field(serve, http, kind, change, where) -> None:
    bodies = answers(kind)
    first = next(iter(bodies))
    bodies[first] = edit(bodies[first], change)
    url = await serve(routes(bodies))
    feed = Feed(client_of(kind, url, http), timedelta(hours=1))
    result = await feed.poll(date(2026, 11, 19), date(2026, 11, 23))
    assert result.ok, result.error  # the row is refused, not the answer
    (refused,) = result.refused
    assert refused.reason.startswith(f"{where}: ") and "is out of range for this field" in refused.reason
    assert "Inexact" not in (feed.health.reason(NOW) or "")
    assert result.count == result.rows - 1  # the answer's other records are kept


# ---------------------------------------------------------------------------------- requests


async def test_one_request_per_window_where_one_answer_holds_earnings_and_payouts(sim: SimCluster, http) -> None:
    settings = load_settings(None, env={}, overrides=sim.settings_overrides())
    feeds = {f.name: f for f in build_feeds(settings, http)}
    window = (TODAY - timedelta(days=9), TODAY - timedelta(days=3))  # not today: no hashrate asked
    for name in ("f2main", "ocean", "braiins", "foundry"):
        result = await feeds[name].poll(*window)
        assert result.ok and result.earnings and result.payouts, name
    # the window is not today's, so no hashrate is asked: these are the window's requests
    asked = {name: sim.state.requests[name] for name in ("f2main", "ocean", "braiins", "foundry")}
    assert asked == {"f2main": 1, "ocean": 1, "braiins": 2, "foundry": 2}  # Braiins, Foundry: two endpoints

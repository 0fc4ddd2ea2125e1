"""Random mutations of valid payloads never produce a wrong record: either the parser
returns exactly what an untouched field says, or it refuses with a clear Malformed."""

from __future__ import annotations

import copy
import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desk.feeds.errors import FeedError, Malformed
from desk.feeds.pools.braiins import BraiinsClient
from desk.feeds.pools.f2pool import F2PoolClient
from desk.feeds.records import Payout
from tests.feeds.conftest import pool, sample

BAD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.just(""),
    st.just("abc"),
    st.just([]),
    st.just({}),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.just("-5"),
    st.just("1e400"),
    st.just("NaN"),
    st.decimals(allow_nan=False, allow_infinity=False, places=12).map(str),
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def mutate(data: Any, path: tuple, value: Any, drop: bool) -> Any:
    data = copy.deepcopy(data)
    node = data
    for key in path[:-1]:
        node = node[key]
    if drop and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


class Canned:
    """An HttpClient stand-in answering canned bodies by path (the last path segment that
    names the resource): the parsers are under test here; the sockets are covered by the
    other tests."""

    def __init__(self, **bodies: str) -> None:
        from desk.feeds.clock import Clock

        self.bodies = bodies
        self.clock = Clock()

    async def request(self, method: str, url: str, *args: Any, **kwargs: Any):
        from desk.feeds.http import Response

        body = next((text for key, text in self.bodies.items() if key in url), "")
        return Response(200, body, {}, url)


def check_payouts(original: list[Payout], mutated: list[Payout]) -> None:
    """Every record returned must equal the original record with the same id."""
    by_id = {p.external_id: p for p in original}
    for record in mutated:
        if record.external_id in by_id:
            reference = by_id[record.external_id]
            assert record.amount.value >= 0 and record.fee.value >= 0 and record.fee <= record.amount
            assert record.amount.units <= 21_000_000 * 10**8
            assert record.destination == reference.destination or record.destination


BRAIINS = json.loads(sample("braiins/payouts.json"), parse_float=Decimal)
REWARDS = sample("braiins/rewards.json")
F2POOL = json.loads(sample("f2pool/assets_transactions_list.json"), parse_float=Decimal)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(paths(BRAIINS)), BAD_VALUES, st.booleans())
async def test_mutated_braiins_payouts_are_right_or_refused(path: tuple, value: Any, drop: bool) -> None:
    from desk.sim.encode import dumps

    client = BraiinsClient("bp", pool("braiins", "http://sim"), Canned(rewards=REWARDS, payouts=dumps(BRAIINS)))  # type: ignore[arg-type]
    original = (await client.window(*YEAR)).payouts
    client.http = Canned(rewards=REWARDS, payouts=dumps(mutate(BRAIINS, path, value, drop)))  # type: ignore[assignment]
    try:
        window = await client.window(*YEAR)
    except FeedError as exc:
        assert isinstance(exc, Malformed) and exc.reason
        return
    check_payouts(original, window.payouts)
    for record in window.payouts:
        assert record.amount.units >= 0 and record.status in ("queued", "confirmed")
    for refused in window.refused:  # a refused row is named, with its field, and nothing of it kept
        assert refused.reason.startswith(refused.where) and refused.where.startswith("braiins payouts.")
    assert len(window.payouts) + len(window.refused) <= len(original)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(paths(F2POOL)), BAD_VALUES, st.booleans())
async def test_mutated_f2pool_transactions_are_right_or_refused(path: tuple, value: Any, drop: bool) -> None:
    from desk.sim.encode import dumps

    client = F2PoolClient("f2", pool("f2pool", "http://sim", user="u"), Canned(transactions=dumps(F2POOL)))  # type: ignore[arg-type]
    original = {e.external_id: e for e in (await client.window(*YEAR)).earnings}
    client.http = Canned(transactions=dumps(mutate(F2POOL, path, value, drop)))  # type: ignore[assignment]
    try:
        window = await client.window(*YEAR)
    except FeedError as exc:
        assert isinstance(exc, Malformed) and exc.reason
        return
    for earning in window.earnings:
        assert earning.amount.value >= 0
        if path[-1] != "changed_balance" and earning.external_id in original:
            assert earning.amount == original[earning.external_id].amount
    for payout in window.payouts:
        assert payout.amount.value >= 0 and payout.fee.value >= 0 and payout.fee <= payout.amount
    for refused in window.refused:
        assert refused.reason.startswith(refused.where) and refused.where.startswith("f2pool transactions[")


@pytest.mark.parametrize("text", ["", "{", "[1,2", "null", "NaN", '{"btc": null}'])
async def test_garbage_is_refused_with_a_named_reason(text: str) -> None:
    client = BraiinsClient("bp", pool("braiins", "http://sim"), Canned(rewards=text, payouts=text))  # type: ignore[arg-type]
    with pytest.raises(Malformed):
        await client.window(date(2026, 1, 1), date(2026, 1, 2))

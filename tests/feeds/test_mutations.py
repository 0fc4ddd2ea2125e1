"""Random mutations of valid payloads never produce a wrong record: either the parser
returns exactly what an untouched field says, or it refuses with a clear Malformed."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
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
from desk.money import Amount
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


#: which Payout fields each Braiins payout key decides (the payout id is the rail, request
#: time and amount); a key not listed decides nothing of the payout
DECIDES = {
    "amount_sats": ("amount", "external_id"),
    "fee_sats": ("fee",),
    "destination": ("destination",),
    "tx_id": ("tx_id",),
    "status": ("status",),
    "requested_at_ts": ("requested_at", "external_id"),
    "resolved_at_ts": ("resolved_at",),
}


def said(value: Any) -> Any:
    """What a mutated JSON value says, as the parser should read it (satoshis as a whole
    number, text as text)."""
    number = value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except ArithmeticError:
            return value
    if isinstance(number, Decimal) and number.is_finite() and number == number.to_integral_value():
        return int(number)
    return value


def check_payouts(original: list[Payout], mutated: list[Payout], path: tuple, value: Any, drop: bool) -> None:
    """Every payout returned is an original one, field for field, or the one from the row
    the mutation touched, equal to its original in every field the mutated key does not
    decide and holding exactly what the mutated key says in those it does (amounts in
    satoshis, the destination as written). A dropped required key leaves no payout."""
    rows = [(rail, i) for rail in ("onchain", "lightning") for i in range(len(BRAIINS[rail]))]
    assert len(original) == len(rows), "every row of the untouched sample parses"
    by_row = dict(zip(rows, original, strict=True))
    touched = by_row.get(path[:2]) if len(path) == 3 else None
    unexplained = [record for record in mutated if record not in original]
    if not unexplained:
        return
    (record,) = unexplained  # one row was mutated: at most one payout differs
    assert touched is not None, f"{record} differs from every original, yet no single row was touched"
    key = path[-1]
    decided = DECIDES.get(key, ())
    for name in Payout.__dataclass_fields__:
        if name not in decided:
            assert getattr(record, name) == getattr(touched, name), f"{name} changed by mutating {key}"
    assert not drop or key in ("tx_id",), f"dropping {key} still gave {record}"
    expected = None if drop else said(value)
    if key in ("amount_sats", "fee_sats"):
        assert getattr(record, decided[0]).units == expected, f"{key} {value!r} read as {getattr(record, decided[0])}"
    elif key in ("destination", "status", "tx_id"):
        assert getattr(record, key) == expected, f"{key} {value!r} read as {getattr(record, key)!r}"
    elif key in ("requested_at_ts", "resolved_at_ts"):
        moment = getattr(record, decided[0])
        read = None if moment is None else int(moment.timestamp())
        # a unix time is read in whole seconds (desk/feeds/parsing.py unix_seconds)
        whole = None if drop or value is None else int(Decimal(str(value).strip()))
        assert read == whole, f"{key} {value!r} read as {moment}"


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
    check_payouts(original, window.payouts, path, value, drop)
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


async def braiins_payouts(data: Any) -> list[Payout]:
    from desk.sim.encode import dumps

    client = BraiinsClient("bp", pool("braiins", "http://sim"), Canned(rewards=REWARDS, payouts=dumps(data)))  # type: ignore[arg-type]
    return (await client.window(*YEAR)).payouts


@pytest.mark.parametrize(
    ("field", "wrong"),
    [
        ("amount", lambda p: replace(p, amount=Amount.from_units(p.amount.asset, p.amount.units + 1))),
        ("destination", lambda p: replace(p, destination="bc1qsomeoneelse0000000000000000000000000")),
        ("fee", lambda p: replace(p, fee=Amount.from_units(p.fee.asset, 1))),
    ],
)
async def test_check_payouts_catches_a_payout_read_wrong(field: str, wrong: Any) -> None:
    """The check itself: a parser that read one payout's amount, fee or destination wrong,
    keeping its id, is caught (an earlier check compared no amount and no destination)."""
    original = await braiins_payouts(BRAIINS)
    misread = [wrong(original[0]), *original[1:]]
    with pytest.raises(AssertionError, match=field):
        check_payouts(original, misread, ("onchain", 0, "trigger_type"), "x", False)
    check_payouts(original, list(original), ("onchain", 0, "trigger_type"), "x", False)


async def test_check_payouts_holds_a_mutated_amount_to_what_the_json_says() -> None:
    original = await braiins_payouts(BRAIINS)
    assert (
        check_payouts(
            original,
            await braiins_payouts(mutate(BRAIINS, ("onchain", 0, "amount_sats"), 5, False)),
            ("onchain", 0, "amount_sats"),
            5,
            False,
        )
        is None
    )
    with pytest.raises(AssertionError, match="amount_sats"):
        check_payouts(
            original,
            await braiins_payouts(mutate(BRAIINS, ("onchain", 0, "amount_sats"), 5, False)),
            ("onchain", 0, "amount_sats"),
            6,
            False,
        )


@pytest.mark.parametrize("text", ["", "{", "[1,2", "null", "NaN", '{"btc": null}'])
async def test_garbage_is_refused_with_a_named_reason(text: str) -> None:
    client = BraiinsClient("bp", pool("braiins", "http://sim"), Canned(rewards=text, payouts=text))  # type: ignore[arg-type]
    with pytest.raises(Malformed):
        await client.window(date(2026, 1, 1), date(2026, 1, 2))

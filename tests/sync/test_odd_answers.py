"""The pools' documented answers with one odd field, synced over a real socket into a real
register: a zero in any spelling is a quiet day, not an entry; a fee over its payout, garbled
bytes or a field of the wrong type refuse that row alone, with the field and the reason, the
good rows are written, and the refused row is asked for again until it parses or an operator
acknowledges it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from desk.config import load_settings
from desk.feeds.clock import FakeClock
from desk.feeds.http import HttpClient, RetryPolicy
from desk.register import PageFilter, Register
from desk.sync import SyncEngine
from tests.builders import NOW
from tests.feeds.pool_samples import OCEAN_USER, answers, edit, pool_config, routes

#: entries each pool's samples make: Braiins 2 rewards and 3 payouts, the others one of each
ROWS = {"braiins": 5, "f2pool": 2, "foundry": 2, "ocean": 2}
EARNINGS = {
    "braiins": "/accounts/rewards/json/btc",
    "f2pool": "/v2/assets/transactions/list",
    "foundry": "/earnings/desk_demo",
    "ocean": f"/v1/earnpay/{OCEAN_USER}/*",
}
PAYOUTS = {**EARNINGS, "braiins": "/accounts/payouts/json/btc", "foundry": "/transactions/desk_demo"}


@asynccontextmanager
async def desk(tmp_path: Path, kind: str, url: str) -> AsyncIterator[SyncEngine]:
    """A register with one pool of `kind` at `url`, and the sync engine on it at NOW."""
    overrides = {
        "register": {"path": str(tmp_path / "register.sqlite")},
        "operator": {"name": "sync-bot"},
        "pools": {kind: pool_config(kind, url)},
        "prices": {"sources": {}},
        "sync": {"backfill_days": 5},
    }
    settings = load_settings(None, env={}, overrides=overrides)
    async with (
        Register.open(settings.register.path, operator="sync-bot", create=True) as register,
        aiohttp.ClientSession() as session,
    ):
        await register.init_accounts(settings)
        http = HttpClient(session, clock=FakeClock(NOW), pacing=False, policy=RetryPolicy(attempts=1, timeout_s=5))
        yield SyncEngine(settings, register, http)


async def entries(register: Register) -> list:
    return await register.page(PageFilter(), limit=100)


def changed(kind: str, path: str, change: Callable[[Any], None]) -> dict:
    bodies: dict[str, str | bytes] = dict(answers(kind))
    bodies[path] = edit(str(bodies[path]), change)
    return routes(bodies)


def f2pool_row(kind: str) -> Callable[[Any], Any]:
    return lambda data: next(r for r in data["transactions"] if (r["type"] == "payout") == (kind == "payout"))


# ---------------------------------------------------------------------------------- zero

ZEROS = [
    ("braiins", "earning", "2026-11-22", lambda d: d["btc"]["daily_rewards"][0].update(total_reward="0.00000000")),
    ("braiins", "earning", "2026-11-22", lambda d: d["btc"]["daily_rewards"][0].update(total_reward="0")),
    ("braiins", "payout", "2026-11-22", lambda d: d["onchain"][0].update(amount_sats=0)),
    ("f2pool", "earning", "2026-11-21", lambda d: f2pool_row("earning")(d).update(changed_balance=0)),
    ("f2pool", "earning", "2026-11-21", lambda d: f2pool_row("earning")(d).update(changed_balance=Decimal("0.0"))),
    (
        "f2pool",
        "payout",
        "2026-11-22",
        lambda d: f2pool_row("payout")(d).update(
            changed_balance=Decimal("-0.0"), payout_extra={**f2pool_row("payout")(d)["payout_extra"], "tip": 0}
        ),
    ),
    ("foundry", "earning", "2026-11-21", lambda d: d[0].update(totalAmount=0)),
    ("foundry", "earning", "2026-11-21", lambda d: d[0].update(totalAmount=Decimal("0.0"))),
    ("foundry", "payout", "2026-11-22", lambda d: d[0].update(amount=Decimal("0.0"))),
    ("ocean", "earning", "2026-11-21", lambda d: d["result"]["earnings"][0].update(satoshis_net_earned="0")),
    ("ocean", "earning", "2026-11-21", lambda d: d["result"]["earnings"][0].update(satoshis_net_earned=0)),
    ("ocean", "payout", "2026-11-21", lambda d: d["result"]["payouts"][0].update(total_satoshis_net_paid="0")),
    ("ocean", "payout", "2026-11-21", lambda d: d["result"]["payouts"][0].update(total_satoshis_net_paid=0)),
]


@pytest.mark.parametrize(
    ("kind", "record", "day", "change"), ZEROS, ids=[f"{k}-{r}-{i}" for i, (k, r, _d, _c) in enumerate(ZEROS)]
)
async def test_a_zero_in_any_spelling_is_nothing_that_day_not_an_entry(
    serve,
    tmp_path: Path,
    kind: str,
    record: str,
    day: str,
    change: Callable[[Any], None],
) -> None:
    path = EARNINGS[kind] if record == "earning" else PAYOUTS[kind]
    url = await serve(changed(kind, path, change))
    async with desk(tmp_path, kind, url) as engine:
        summary = await engine.run_once()
        assert summary.failed == (), summary.reasons
        written = await entries(engine.register)
        assert len(written) == ROWS[kind] - 1  # every other row, and no entry for the zero
        assert all(p.amount for e in written for p in e.postings)
        quiet = {d.day: d.quiet for d in await engine.register.pool_days(date(2026, 11, 19), NOW.date())}
        assert quiet[date.fromisoformat(day)] == 1  # "nothing that day", kept as such
        assert (await engine.register.sync_state())[kind]["state"] == "ok"
        assert not await engine.register.refusals()
        assert (await engine.register.verify()).ok


# ---------------------------------------------------------------------------------- fee > amount

FEES = [
    (
        "braiins",
        lambda d: d["onchain"][0].update(fee_sats=d["onchain"][0]["amount_sats"] + 1),
        "braiins payouts.onchain[0].fee_sats: 4276541 sats is more than the payout's 4276540 sats",
    ),
    (
        "f2pool",
        lambda d: f2pool_row("payout")(d)["payout_extra"].update(tip=Decimal("0.10000001")),
        "f2pool transactions[1].payout_extra.tip: 0.10000001 BTC is more than the payout itself (0.10000000 BTC)",
    ),
]


@pytest.mark.parametrize(("kind", "change", "reason"), FEES, ids=[k for k, _c, _r in FEES])
async def test_a_fee_larger_than_its_payout_is_refused_with_the_reason(
    serve,
    tmp_path: Path,
    kind: str,
    change: Callable[[Any], None],
    reason: str,
) -> None:
    url = await serve(changed(kind, PAYOUTS[kind], change))
    async with desk(tmp_path, kind, url) as engine:
        summary = await engine.run_once()
        assert summary.failed == (kind,) and reason in summary.reasons[0]
        written = await entries(engine.register)
        assert len(written) == ROWS[kind] - 1
        wallet = await engine.register.balance("assets:wallet:ops", "BTC")
        assert wallet.value >= 0  # no payout was written as a negative receipt
        (refused,) = await engine.register.refusals()
        assert refused.reason == reason and refused.feed == kind
        state = (await engine.register.sync_state())[kind]
        assert state["state"] == "degraded"
        assert state["reason"] == f"1 of {ROWS[kind]} rows refused: {reason}"


# ---------------------------------------------------------------------------------- garbled bytes

GARBAGE = b"\xc3\x28\xff"  # not UTF-8: a lead byte without its continuation, then 0xff
GARBLED = [  # (kind, answer path, the value garbled, the field the reason must name)
    (
        "braiins",
        PAYOUTS["braiins"],
        "5f2c0e0b9d4a7e61c3b8a2d9e0f1a4b7c6d5e8f90a1b2c3d4e5f60718293a4b5",
        "braiins payouts.onchain[0].tx_id",
    ),
    (
        "braiins",
        PAYOUTS["braiins"],
        "bc1qdeskdemo0hotwallet0000000000000000000000",
        "braiins payouts.onchain[0].destination",
    ),
    ("braiins", PAYOUTS["braiins"], "ops@example.invalid", "braiins payouts.lightning[0].destination"),
    (
        "f2pool",
        PAYOUTS["f2pool"],
        "0c1d2e3f405162738495a6b7c8d9e0f10213243546576879a8b9cadbecfd0e1f",
        "f2pool transactions[1].payout_extra.tx_id",
    ),
    (
        "f2pool",
        PAYOUTS["f2pool"],
        "bc1qdeskdemo0hotwallet0000000000000000000000",
        "f2pool transactions[1].payout_extra.address",
    ),
    ("f2pool", PAYOUTS["f2pool"], '"90817263999"', "f2pool transactions[1].id"),
    (
        "foundry",
        PAYOUTS["foundry"],
        "a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00",
        "foundry transactions[0].txId",
    ),
    ("foundry", PAYOUTS["foundry"], "bc1qdeskdemo0hotwallet0000000000000000000000", "foundry transactions[0].address"),
    ("foundry", EARNINGS["foundry"], "2026-11-21T00:00:00.000+00:00", "foundry earnings[0].startTime"),
    (
        "ocean",
        EARNINGS["ocean"],
        "00000000000000000001a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7",
        "ocean earnings[0].block_hash",
    ),
    (
        "ocean",
        EARNINGS["ocean"],
        "f0e1d2c3b4a5968778695a4b3c2d1e0ff0e1d2c3b4a5968778695a4b3c2d1e0f",
        "ocean payouts[0].on_chain_txid",
    ),
]


def garbled(text: str, value: str) -> bytes:
    """`text` with bytes that are not UTF-8 inside the first `value` (a quoted number
    `"123"` becomes a string id with the bytes in it)."""
    if value.startswith('"'):
        target = value.strip('"')
        return (
            text.replace(f": {target}", f': "{target[:4]}', 1)
            .encode()
            .replace(f'"{target[:4]}'.encode(), f'"{target[:4]}'.encode() + GARBAGE + f'{target[4:]}"'.encode(), 1)
        )
    head, _, tail = text.partition(value)
    return head.encode() + value[:8].encode() + GARBAGE + value[8:].encode() + tail.encode()


@pytest.mark.parametrize(("kind", "path", "value", "where"), GARBLED, ids=[w for _k, _p, _v, w in GARBLED])
async def test_garbled_bytes_in_a_recorded_field_refuse_that_row_naming_the_field(
    serve,
    tmp_path: Path,
    kind: str,
    path: str,
    value: str,
    where: str,
) -> None:
    bodies: dict[str, str | bytes] = dict(answers(kind))
    bodies[path] = garbled(str(bodies[path]), value)
    url = await serve(routes(bodies))
    async with desk(tmp_path, kind, url) as engine:
        await engine.run_once()
        written = await entries(engine.register)
        for entry in written:
            for text in (entry.memo, entry.reference or "", entry.external_id or ""):
                assert "\ufffd" not in text and text.isprintable(), text
        assert len(written) == ROWS[kind] - 1  # the good rows of the same answer are written
        (refused,) = await engine.register.refusals()
        assert refused.reason.startswith(f"{where}: bytes that are not valid UTF-8"), refused.reason
        assert "\\udcc3(\\udcff" in refused.reason  # the bytes shown escaped, never as '\ufffd'


# ---------------------------------------------------------------------------------- one bad row


async def test_one_bad_row_is_refused_alone_asked_again_and_written_once_it_parses(
    serve,
    tmp_path: Path,
) -> None:
    good = answers("braiins")
    bad = routes(
        {
            **good,
            EARNINGS["braiins"]: edit(
                good[EARNINGS["braiins"]], lambda d: d["btc"]["daily_rewards"][0].update(total_reward={"x": 1})
            ),
        }
    )
    table = dict(bad)
    url = await serve(table)
    reason = "braiins rewards[0].total_reward: expected a number, got dict"
    async with desk(tmp_path, "braiins", url) as engine:
        await engine.run_once()
        assert len(await entries(engine.register)) == 4  # the other reward and the three payouts
        feed = engine.feeds[0]
        assert feed.health.state(NOW) == "degraded"
        assert feed.health.reason(NOW) == f"1 of 5 rows refused: {reason}"
        assert feed.health.failures[0].reason == f"1 of 5 rows refused: {reason}"
        await engine.run_once()  # the pool still sends it: the same refusal, seen twice
        (refused,) = await engine.register.refusals()
        assert (refused.reason, refused.times, refused.day) == (reason, 2, date(2026, 11, 22))
        table.update(routes(good))  # the pool corrects the row
        await engine.run_once()
        assert len(await entries(engine.register)) == 5
        assert not await engine.register.refusals()
        (resolved,) = await engine.register.refusals(state="resolved")
        assert resolved.id == refused.id
        assert feed.health.state(NOW) == "ok" and (await engine.register.sync_state())["braiins"]["state"] == "ok"


async def test_a_refused_row_is_asked_for_until_an_operator_acknowledges_it(serve, tmp_path: Path) -> None:
    good = answers("braiins")
    older = edit(good[EARNINGS["braiins"]], lambda d: d["btc"]["daily_rewards"][1].update(total_reward="-0.5"))
    seen: list = []
    url = await serve(routes({**good, EARNINGS["braiins"]: older}), seen)
    async with desk(tmp_path, "braiins", url) as engine:
        await engine.run_once()
        (refused,) = await engine.register.refusals()
        assert refused.day == date(2026, 11, 21) and "is negative" in refused.reason
        seen.clear()
        await engine.run_once()  # synced through today: the window reaches back to the refused row's day
        asked = [s.query["from"] for s in seen if s.path == EARNINGS["braiins"]]
        assert asked == ["2026-11-21"]
        await engine.register.acknowledge_refusal(refused.id, "the pool will not correct it")
        seen.clear()
        await engine.run_once()
        assert [s.query["from"] for s in seen if s.path == EARNINGS["braiins"]] == ["2026-11-22"]
        # this server sends the row whatever the window: still refused, but acknowledged, so
        # no longer a problem of the feed, and kept as it was acknowledged
        assert engine.feeds[0].health.state(NOW) == "ok"
        (acknowledged,) = await engine.register.refusals(state="acknowledged")
        assert acknowledged.times == 3 and acknowledged.note == "the pool will not correct it"


async def test_an_entry_the_register_refuses_is_refused_alone_and_the_rest_written(serve, tmp_path: Path) -> None:
    """The register's own rules are the last gate: one entry it refuses is found by splitting
    the batch, kept as a refused row of kind `write`, and the others are written."""
    from desk.register import EntryRejected

    url = await serve(routes(answers("braiins")))
    async with desk(tmp_path, "braiins", url) as engine:
        ingest = engine.register.ingest
        batches: list[int] = []

        async def strict(batch):  # type: ignore[no-untyped-def]
            batch = list(batch)
            batches.append(len(batch))
            if any(e.external_id == "earning:reward:2026-11-21" for e in batch):
                raise EntryRejected("a rule of the register this entry breaks", field="memo")
            return await ingest(batch)

        engine.register.ingest = strict  # type: ignore[method-assign]
        summary = await engine.run_once()
        assert len(await entries(engine.register)) == 4
        (refused,) = await engine.register.refusals()
        assert refused.kind == "write" and refused.day == date(2026, 11, 21)
        assert refused.reason == (
            "braiins earning:reward:2026-11-21: the register refused it: a rule of the register this entry breaks"
        )
        assert summary.failed == ("braiins",) and "1 of 5 rows refused" in summary.reasons[0]
        assert batches[0] == 5 and len(batches) <= 2 * 5  # split in halves down to the one refused


async def test_a_pool_that_rewrites_a_written_earning_has_that_record_refused_and_the_rest_written(
    serve, tmp_path: Path
) -> None:
    """The register keeps what the pool first said; the rewritten record becomes a refused
    row of the feed naming what changed, so a pool that rewrites history never passes
    silently, and its other records still come in."""
    good = answers("braiins")
    first = await serve(routes(good))
    async with desk(tmp_path, "braiins", first) as engine:
        await engine.run_once()
        written = {(e.external_id, e.postings) for e in await entries(engine.register)}
    rewritten = edit(good[EARNINGS["braiins"]], lambda d: d["btc"]["daily_rewards"][1].update(total_reward="0.04"))
    second = await serve(routes({**good, EARNINGS["braiins"]: rewritten}))
    async with desk(tmp_path, "braiins", second) as engine:
        summary = await engine.run_once()
        (refused,) = await engine.register.refusals()
        assert {(e.external_id, e.postings) for e in await entries(engine.register)} == written
    assert refused.kind == "write" and refused.day == date(2026, 11, 21)
    assert refused.reason.startswith(
        "braiins earning:reward:2026-11-21: the register refused it: pool:braiins earning:reward:2026-11-21: "
        "the feed now reports postings assets:pool:braiins 0.04000000 BTC"
    )
    assert "but the register holds assets:pool:braiins 0.04276540 BTC" in refused.reason
    assert summary.failed == ("braiins",)


@pytest.mark.parametrize("when", ["1E-12", "1795219200.5", 1795219200.25, "0", -1795219200, "1E+10"])
async def test_a_braiins_reward_dated_by_a_fraction_or_out_of_range_is_refused_with_its_field(
    serve, tmp_path: Path, when: object
) -> None:
    """ "1E-12" once read as 1970-01-01 and "…00.5" as the second before: a time that is not a
    whole number of seconds from 2009 on is refused as a row, naming the feed and the field."""
    good = answers("braiins")
    odd = edit(good[EARNINGS["braiins"]], lambda d: d["btc"]["daily_rewards"][1].update(date=when))
    url = await serve(routes({**good, EARNINGS["braiins"]: odd}))
    async with desk(tmp_path, "braiins", url) as engine:
        await engine.run_once()
        (refused,) = await engine.register.refusals()
        days = [e.ts.date() for e in await entries(engine.register) if e.kind == "earning"]
    assert refused.kind == "earning" and refused.reason.startswith("braiins rewards[1].date: ")
    assert "is not a unix time in" in refused.reason
    assert date(1970, 1, 1) not in days and len(days) == 1

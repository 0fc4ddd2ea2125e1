"""The chain clients read movements from the documented shapes (samples over real sockets):
direction, amount without the fee, fee, counterparty, confirmations from the tip; a garbled
row is refused alone with its field named, the rest of the answer kept."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from desk.feeds.chains.bsc import BscClient
from desk.feeds.chains.esplora import EsploraClient
from desk.feeds.chains.solana import SolanaClient
from tests.chains.conftest import JSON
from tests.feeds.conftest import sample

HERE = Path(__file__).parent / "samples"
COLD = "bc1qdeskdemo0reserve0cold000000000000000000"
HOT = "bc1qdeskdemo0hotwallet0000000000000000000000"
TXID = "7d9c2e0b4a1f6e3d8c5b2a09f8e7d6c5b4a39281706f5e4d3c2b1a0998877665"
RESERVE_BNB = "0x000000000000000000000000000000000de5c01d"
OWNER = "DeskDemoReserveOwner1111111111111111111111111"
OPS = "DeskDemoOpsOwner1111111111111111111111111111"
MINT = "KZTEDemoMint11111111111111111111111111111111"


def result_of(name: str) -> Any:
    return json.loads((HERE / name).read_text())["result"]


@pytest.fixture
async def rpc_node() -> AsyncIterator[Callable[..., Any]]:
    """rpc_node(answer) -> URL of a JSON-RPC node whose `answer(method, params)` gives each
    result; single calls and batches, as a node takes them."""
    runners = []

    async def start(answer: Callable[[str, list[Any]], Any]) -> str:
        def one(call: dict[str, Any]) -> dict[str, Any]:
            return {"jsonrpc": "2.0", "id": call["id"], "result": answer(call["method"], call["params"])}

        async def handler(request: web.Request) -> web.Response:
            body = json.loads(await request.text())
            reply = [one(c) for c in body] if isinstance(body, list) else one(body)
            return web.Response(text=json.dumps(reply), content_type=JSON)

        app = web.Application()
        app.router.add_post("/", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}/"

    yield start
    for runner in runners:
        await runner.cleanup()


async def esplora(serve, txs: str) -> str:
    return await serve(
        {
            f"/address/{COLD}/txs": (200, txs, JSON),
            f"/address/{HOT}/txs": (200, txs, JSON),
            "/blocks/tip/height": (200, "925010", "text/plain"),
        }
    )


async def test_esplora_outgoing_is_what_went_to_others_with_the_fee(serve, http) -> None:
    (move,) = await EsploraClient(await esplora(serve, sample("esplora/address_txs.json")), http).movements(HOT)
    assert (move.txid, move.direction, move.status) == (TXID, "out", "confirmed")
    assert move.amount.units == 500_000_000 and move.fee is not None and move.fee.units == 1_500
    assert move.counterparty == COLD and move.confirmations == 10 and move.block_height == 925001


async def test_esplora_incoming_names_the_sender(serve, http) -> None:
    (move,) = await EsploraClient(await esplora(serve, sample("esplora/address_txs.json")), http).movements(COLD)
    assert (move.direction, move.amount.value, move.counterparty) == ("in", Decimal("5.00000000"), HOT)
    assert move.block_time == datetime.fromtimestamp(1795400000, UTC) and move.chain == "bitcoin"


async def test_esplora_change_back_to_the_sender_is_not_moved(serve, http) -> None:
    tx = json.loads(sample("esplora/address_txs.json"))[0]
    tx["vout"].append({"scriptpubkey_type": "v0_p2wpkh", "scriptpubkey_address": HOT, "value": 7_000})
    tx["status"] = {"confirmed": False}
    (move,) = await EsploraClient(await esplora(serve, json.dumps([tx])), http).movements(HOT)
    assert move.amount.units == 500_000_000 and move.status == "mempool" and move.confirmations == 0
    assert move.block_height is None


async def test_esplora_garbled_row_is_refused_alone(serve, http) -> None:
    good = json.loads(sample("esplora/address_txs.json"))[0]
    bad = json.loads(json.dumps(good))
    bad["txid"] = "ab" * 32
    bad["vout"][0]["value"] = "5 BTC"
    client = EsploraClient(await esplora(serve, json.dumps([bad, good])), http)
    (move,) = await client.movements(COLD)
    assert move.txid == TXID
    (refusal,) = client.refused
    assert "[0].vout[0].value" in refusal.reason and "'5 BTC'" in refusal.reason and refusal.kind == "movement"


async def test_esplora_tracked_tx_off_the_page_is_read_by_itself(serve, http) -> None:
    url = await serve(
        {
            f"/address/{COLD}/txs": (200, "[]", JSON),
            f"/tx/{TXID}": (200, json.dumps(json.loads(sample("esplora/address_txs.json"))[0]), JSON),
            f"/tx/{'ee' * 32}": (404, "Transaction not found", "text/plain"),
            "/blocks/tip/height": (200, "925100", "text/plain"),
        }
    )
    (move,) = await EsploraClient(url, http).movements(COLD, tracked=[TXID, "ee" * 32])
    assert (move.txid, move.direction, move.confirmations) == (TXID, "in", 100)


def bsc_answers(tip: int, pending: bool = True) -> Callable[[str, list[Any]], Any]:
    block = result_of("bsc/eth_getBlockByNumber_full.json")
    number = int(block["number"], 16)

    def answer(method: str, params: list[Any]) -> Any:
        if method == "eth_blockNumber":
            return hex(tip)
        if method == "eth_getBlockByNumber":
            wanted = int(params[0], 16)
            return block if wanted == number else {**block, "number": params[0], "transactions": []}
        if method == "eth_getTransactionReceipt":
            return result_of("bsc/eth_getTransactionReceipt.json")
        if method == "eth_getTransactionByHash":
            return result_of("bsc/eth_getTransactionByHash_pending.json") if pending else None
        raise AssertionError(method)

    return answer


async def test_bsc_block_scan_finds_a_deposit_with_its_receipt_fee(rpc_node, http) -> None:
    url = await rpc_node(bsc_answers(tip=0x2B0BC10 + 2))
    client = BscClient(url, http)
    (move,) = await client.movements(RESERVE_BNB)
    assert (move.direction, move.status, move.confirmations) == ("in", "confirmed", 3)
    assert move.amount.value == Decimal(2) and move.amount.units == 2 * 10**18
    assert move.fee is not None and move.fee.units == 21_000 * 3 * 10**9  # gasUsed x effectiveGasPrice
    assert move.counterparty == "0x00000000000000000000000000000000deadbeef"
    assert move.block_time == datetime.fromtimestamp(0x6924A000, UTC)


async def test_bsc_tracked_pending_tx_then_dropped_when_the_node_forgets_it(rpc_node, http) -> None:
    answers = {"pending": True}
    answer = bsc_answers(tip=0x2B0BC10)

    def node(method: str, params: list[Any]) -> Any:
        if method == "eth_getTransactionByHash":
            return result_of("bsc/eth_getTransactionByHash_pending.json") if answers["pending"] else None
        return answer(method, params)

    client = BscClient(await rpc_node(node), http)
    pending_hash = "0x" + "77aa" * 16
    moves = await client.movements(RESERVE_BNB, tracked=[pending_hash])
    out = next(m for m in moves if m.txid == pending_hash)
    assert (out.direction, out.status, out.fee, out.confirmations) == ("out", "mempool", None, 0)
    assert out.amount.value == Decimal(8000)  # 0x1b1ae4d6e2ef5000000 wei, beyond 64 bits
    answers["pending"] = False
    gone = [m for m in await client.movements(RESERVE_BNB, tracked=[pending_hash]) if m.txid == pending_hash]
    assert [m.status for m in gone] == ["dropped"]
    assert not [m for m in await client.movements(RESERVE_BNB) if m.txid == pending_hash]  # reported once


async def test_bsc_garbled_tx_is_refused_alone(rpc_node, http) -> None:
    answer = bsc_answers(tip=0x2B0BC10)

    def node(method: str, params: list[Any]) -> Any:
        result = answer(method, params)
        if method == "eth_getBlockByNumber" and result["transactions"]:
            bad = {**result["transactions"][0], "hash": "0x" + "12" * 32, "value": "12.5"}
            result = {**result, "transactions": [bad, *result["transactions"]]}
        return result

    client = BscClient(await rpc_node(node), http)
    (move,) = await client.movements(RESERVE_BNB)
    assert move.amount.value == Decimal(2)
    (refusal,) = client.refused
    assert refusal.reason.endswith("'12.5' is not a 0x-prefixed hex quantity") and ".value" in refusal.reason


async def test_bsc_garbled_block_is_refused_and_the_scan_goes_on(rpc_node, http) -> None:
    tip = 0x2B0BC10
    answer = bsc_answers(tip=tip)

    def node(method: str, params: list[Any]) -> Any:
        result = answer(method, params)
        if method == "eth_getBlockByNumber" and int(params[0], 16) == tip - 1:
            result = {**result, "timestamp": "yesterday"}
        return result

    client = BscClient(await rpc_node(node), http)
    (move,) = await client.movements(RESERVE_BNB)
    assert move.block_height == tip and client.cursor == tip + 1
    (refusal,) = client.refused
    assert refusal.where.endswith(f"eth_getBlockByNumber({hex(tip - 1)})") and "timestamp" in refusal.reason


def solana_answers(tip: int, tx: Any) -> Callable[[str, list[Any]], Any]:
    def answer(method: str, params: list[Any]) -> Any:
        if method == "getSlot":
            return tip
        if method == "getTokenAccountsByOwner":
            return json.loads(sample("solana/getTokenAccountsByOwner_response.json"))["result"]
        if method == "getSignaturesForAddress":
            return result_of("solana/getSignaturesForAddress.json")
        if method == "getTransaction":
            return tx
        raise AssertionError(method)

    return answer


async def test_solana_movement_is_the_owners_token_balance_change(rpc_node, http) -> None:
    url = await rpc_node(solana_answers(380_000_109, result_of("solana/getTransaction_jsonParsed.json")))
    (move,) = await SolanaClient(url, MINT, http).movements(OWNER)
    assert (move.direction, move.status, move.confirmations, move.fee) == ("in", "confirmed", 10, None)
    assert move.amount.value == Decimal("50000.01") and move.counterparty == OPS
    assert move.block_height == 380_000_100 and move.txid.startswith("5h6xBEau")


async def test_solana_garbled_token_amount_is_refused_alone(rpc_node, http) -> None:
    tx = result_of("solana/getTransaction_jsonParsed.json")
    tx["meta"]["postTokenBalances"][1]["uiTokenAmount"]["amount"] = 300000.000001
    client = SolanaClient(await rpc_node(solana_answers(380_000_109, tx)), MINT, http)
    assert await client.movements(OWNER) == []
    (refusal,) = client.refused
    assert "postTokenBalances[1].uiTokenAmount.amount" in refusal.reason


async def test_solana_amount_below_desks_precision_is_refused_not_rounded(rpc_node, http) -> None:
    tx = result_of("solana/getTransaction_jsonParsed.json")
    tx["meta"]["postTokenBalances"][1]["uiTokenAmount"]["amount"] = "300000010001"  # KZTE keeps 2 decimals
    client = SolanaClient(await rpc_node(solana_answers(380_000_109, tx)), MINT, http)
    assert await client.movements(OWNER) == []
    (refusal,) = client.refused
    assert "more decimals than KZTE allows" in refusal.reason

"""Every chain sample parses exactly: sats, wei beyond 64 bits, SPL base units at their decimals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from desk.feeds.chains.base import ChainError
from desk.feeds.chains.bsc import BscClient
from desk.feeds.chains.esplora import EsploraClient
from desk.feeds.chains.solana import SolanaClient
from desk.feeds.errors import Malformed
from desk.money import BNB, BTC, KZTE, Amount
from tests.chains.conftest import JSON
from tests.feeds.conftest import sample

COLD = "bc1qdeskdemo0reserve0cold000000000000000000"
HOT = "bc1qdeskdemo0hotwallet0000000000000000000000"
OWNER = "DeskDemoReserveOwner1111111111111111111111111"
MINT = "KZTEDemoMint11111111111111111111111111111111"
TXID = "7d9c2e0b4a1f6e3d8c5b2a09f8e7d6c5b4a39281706f5e4d3c2b1a0998877665"


async def test_esplora_address_is_funded_minus_spent_in_sats(serve, http) -> None:
    url = await serve(
        {
            f"/address/{COLD}": (200, sample("esplora/address.json"), JSON),
            "/blocks/tip/height": (200, "925010", "text/plain"),
        }
    )
    state = await EsploraClient(url, http).address_state(COLD)
    assert state.confirmed.amount == Amount(BTC, "12.5")
    assert state.confirmed.amount.units == 1_250_000_000
    assert state.confirmed.block_height == 925010 and state.confirmed.chain == "bitcoin"
    assert state.mempool.units == 0


async def test_esplora_txs_give_one_receipt_per_output_to_the_address(serve, http) -> None:
    url = await serve(
        {
            f"/address/{COLD}/txs": (200, sample("esplora/address_txs.json"), JSON),
            "/blocks/tip/height": (200, "925010", "text/plain"),
        }
    )
    (receipt,) = await EsploraClient(url, http).receipts(COLD)
    assert receipt.txid == TXID and receipt.address == COLD
    assert receipt.amount.value == Decimal("5.00000000") and receipt.amount.units == 500_000_000
    assert receipt.block_height == 925001 and receipt.confirmations == 10
    assert receipt.block_time == datetime.fromtimestamp(1795400000, UTC)


async def test_esplora_sender_gets_no_receipt(serve, http) -> None:
    url = await serve(
        {
            f"/address/{HOT}/txs": (200, sample("esplora/address_txs.json"), JSON),
            "/blocks/tip/height": (200, "925010", "text/plain"),
        }
    )
    assert await EsploraClient(url, http).receipts(HOT) == []


async def test_bsc_balance_of_8000_bnb_in_wei_is_exact(serve_rpc, http) -> None:
    calls: list = []
    url = await serve_rpc(
        {
            "eth_getBalance": sample("bsc/eth_getBalance_response.json"),
            "eth_blockNumber": '{"jsonrpc":"2.0","id":1,"result":"0x2b0d1a0"}',
        },
        calls,
    )
    address = json.loads(sample("bsc/eth_getBalance_request.json"))["params"][0]
    balance = await BscClient(url, http).balance(address)
    assert balance.amount == Amount(BNB, "8000")
    assert balance.amount.units == 8000 * 10**18 > 2**64
    assert balance.block_height == 0x2B0D1A0
    request = next(c for c in calls if c["method"] == "eth_getBalance")
    expected = json.loads(sample("bsc/eth_getBalance_request.json"))
    assert (request["jsonrpc"], request["method"], request["params"]) == (
        expected["jsonrpc"],
        expected["method"],
        expected["params"],
    )


async def test_bsc_error_object_is_a_feed_error_naming_the_node_message(serve_rpc, http) -> None:
    url = await serve_rpc(
        {"eth_getBalance": sample("bsc/error.json"), "eth_blockNumber": '{"jsonrpc":"2.0","id":1,"result":"0x1"}'}
    )
    with pytest.raises(ChainError) as caught:
        await BscClient(url, http).balance("0x00000000000000000000000000000000deadbe")
    assert "-32602" in caught.value.reason and "want 40 for common.Address" in caught.value.reason


async def test_bsc_refuses_a_non_hex_balance(serve_rpc, http) -> None:
    url = await serve_rpc(
        {
            "eth_getBalance": '{"jsonrpc":"2.0","id":1,"result":"8000.5"}',
            "eth_blockNumber": '{"jsonrpc":"2.0","id":1,"result":"0x1"}',
        }
    )
    with pytest.raises(Malformed, match="not a 0x-prefixed hex quantity"):
        await BscClient(url, http).balance("0x00000000000000000000000000000000deadbeef")


async def test_solana_sums_integer_amounts_at_their_decimals_and_ignores_ui_amount(serve_rpc, http) -> None:
    calls: list = []
    url = await serve_rpc({"getTokenAccountsByOwner": sample("solana/getTokenAccountsByOwner_response.json")}, calls)
    balance = await SolanaClient(url, MINT, http).balance(OWNER)
    assert balance.amount == Amount(KZTE, "250000")
    assert balance.amount.units == 25_000_000 and balance.block_height == 380000123
    expected = json.loads(sample("solana/getTokenAccountsByOwner_request.json"))
    assert calls[0]["method"] == expected["method"] and calls[0]["params"] == expected["params"]


async def test_solana_two_token_accounts_are_summed_exactly(serve_rpc, http) -> None:
    answer = json.loads(sample("solana/getTokenAccountsByOwner_response.json"))
    second = json.loads(json.dumps(answer["result"]["value"][0]))
    second["account"]["data"]["parsed"]["info"]["tokenAmount"]["amount"] = "10"  # 0.00001 KZTE at 6 decimals
    second["account"]["data"]["parsed"]["info"]["tokenAmount"]["uiAmount"] = 1e-05
    answer["result"]["value"].append(second)
    url = await serve_rpc({"getTokenAccountsByOwner": json.dumps(answer)})
    with pytest.raises(Malformed, match="more decimals than KZTE allows"):
        await SolanaClient(url, MINT, http).balance(OWNER)
    second["account"]["data"]["parsed"]["info"]["tokenAmount"]["amount"] = "10000"  # 0.01 KZTE
    url = await serve_rpc({"getTokenAccountsByOwner": json.dumps(answer)})
    balance = await SolanaClient(url, MINT, http).balance(OWNER)
    assert balance.amount.value == Decimal("250000.01")


async def test_solana_token_account_of_another_mint_is_refused(serve_rpc, http) -> None:
    url = await serve_rpc({"getTokenAccountsByOwner": sample("solana/getTokenAccountsByOwner_response.json")})
    with pytest.raises(ChainError, match="another mint"):
        await SolanaClient(url, "OtherMint1111111111111111111111111111111111", http).balance(OWNER)

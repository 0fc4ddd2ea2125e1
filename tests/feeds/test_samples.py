"""Every client parses the documented samples exactly: right units, Decimal equality."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from desk.feeds.pools.braiins import BraiinsClient
from desk.feeds.pools.f2pool import F2PoolClient
from desk.feeds.pools.foundry import FoundryClient
from desk.feeds.pools.ocean import OceanClient
from desk.feeds.prices.binance import BinanceClient
from desk.feeds.prices.coinbase import CoinbaseClient
from desk.feeds.prices.kraken import KrakenClient
from desk.feeds.prices.nbk import NbkClient, parse_rates
from tests.feeds.conftest import pool, prices, sample

JSON = "application/json"
OCEAN_USER = "bc1qdeskdemo0oceanpayout00000000000000000"
D1, D2 = date(2026, 11, 1), date(2026, 11, 30)


async def test_braiins_rewards_are_btc_strings_and_payouts_are_sats(serve, http) -> None:
    url = await serve(
        {
            "/accounts/rewards/json/btc": (200, sample("braiins/rewards.json"), JSON),
            "/accounts/payouts/json/btc": (200, sample("braiins/payouts.json"), JSON),
        }
    )
    client = BraiinsClient("bp", pool("braiins", url), http)
    window = await client.window(D1, D2)
    earnings = window.earnings
    assert [(e.day, e.amount.value) for e in earnings] == [
        (date(2026, 11, 22), Decimal("0.04301122")),
        (date(2026, 11, 21), Decimal("0.04276540")),
    ]
    payouts = window.payouts
    assert not window.refused and window.rows == 5
    assert payouts[0].amount.value == Decimal("0.04276540") and payouts[0].amount.units == 4276540
    assert payouts[0].tx_id.startswith("5f2c0e0b") and payouts[0].status == "confirmed"
    assert payouts[1].status == "queued" and payouts[1].tx_id is None and payouts[1].resolved_at is None
    assert payouts[2].rail == "lightning" and payouts[2].amount.units == 250000
    assert payouts[0].requested_at == datetime.fromtimestamp(1795320000, UTC)


async def test_braiins_sends_its_token_header(serve, http) -> None:
    seen: list = []
    url = await serve(
        {
            "/accounts/rewards/json/btc": (200, sample("braiins/rewards.json"), JSON),
            "/accounts/payouts/json/btc": (200, sample("braiins/payouts.json"), JSON),
        },
        seen,
    )
    await BraiinsClient("bp", pool("braiins", url), http).window(D1, D2)
    assert seen[0].headers["Pool-Auth-Token"] == "s3cret-token-value"
    assert seen[0].query["from"] == "2026-11-01"


async def test_f2pool_doubles_are_exact_decimals(serve, http) -> None:
    url = await serve({"/v2/assets/transactions/list": (200, sample("f2pool/assets_transactions_list.json"), JSON)})
    client = F2PoolClient("f2", pool("f2pool", url, user="desk_demo"), http)
    window = await client.window(D1, D2)
    (earning,) = window.earnings
    assert earning.amount.value == Decimal("0.04410021")
    assert str(earning.amount.value) == "0.04410021"
    assert earning.day == date(2026, 11, 21) and earning.hashrate_hs == 101234567890123456
    (payout,) = window.payouts
    assert payout.amount.value == Decimal("0.1") and payout.fee.value == Decimal("0.00001")
    assert payout.tx_id.startswith("0c1d2e3f") and payout.external_id == "tx:90817263999"


async def test_f2pool_by_address_sends_the_address(serve, http) -> None:
    seen: list = []
    url = await serve(
        {"/v2/assets/transactions/list": (200, sample("f2pool/assets_transactions_list.json"), JSON)}, seen
    )
    await F2PoolClient("f2", pool("f2pool", url, address="bc1qaddr"), http).window(D1, D2)
    body = json.loads(seen[0].body)
    assert body["address"] == "bc1qaddr" and "mining_user_name" not in body
    assert seen[0].headers["F2P-API-SECRET"] == "s3cret-token-value"


async def test_foundry_numbers_and_iso_times(serve, http) -> None:
    url = await serve(
        {
            "/earnings/desk_demo": (200, sample("foundry/earnings.json"), JSON),
            "/transactions/desk_demo": (200, sample("foundry/transactions.json"), JSON),
        }
    )
    client = FoundryClient("fd", pool("foundry", url, user="desk_demo"), http)
    window = await client.window(D1, D2)
    (earning,) = window.earnings
    assert (earning.day, earning.amount.value, earning.fees.value) == (
        date(2026, 11, 21),
        Decimal("0.04399871"),
        Decimal("0.00183259"),
    )
    (payout,) = window.payouts
    assert payout.amount.value == Decimal("0.04399871") and payout.tx_id.startswith("a1b2c3d4")
    assert payout.requested_at == datetime(2026, 11, 22, 6, 0, 1, tzinfo=UTC)


async def test_ocean_strings_and_zoneless_times(serve, http) -> None:
    body = sample("ocean/earnpay.json")
    url = await serve({f"/v1/earnpay/{OCEAN_USER}/2026-11-01/2026-12-01": (200, body, JSON)})
    client = OceanClient("oc", pool("ocean", url, user=OCEAN_USER), http)
    window = await client.window(D1, D2)
    (earning,) = window.earnings
    assert earning.amount.units == 84012 and earning.fees.units == 1720
    assert earning.at == datetime(2026, 11, 21, 7, 14, 9, tzinfo=UTC)
    (payout,) = window.payouts
    assert payout.amount.units == 1048576 and payout.status == "confirmed"


async def test_ocean_other_fee_spelling(serve, http) -> None:
    body = sample("ocean/earnpay.json").replace("fees_colected_satoshis", "fees_collected_satoshis")
    url = await serve({f"/v1/earnpay/{OCEAN_USER}/2026-11-01/2026-12-01": (200, body, JSON)})
    (earning,) = (await OceanClient("oc", pool("ocean", url, user=OCEAN_USER), http).window(D1, D2)).earnings
    assert earning.fees.units == 1720


async def test_binance_ticker_is_usdt_not_usd(serve, http) -> None:
    url = await serve({"/api/v3/ticker/price": (200, sample("binance/ticker_price_symbols.json"), JSON)})
    quotes = await BinanceClient("bn", prices("binance", url, ["BTCUSDT", "BNBUSDT"]), http).quotes()
    assert [(q.base, q.quote, q.price) for q in quotes] == [
        ("BTC", "USDT", Decimal("91234.56000000")),
        ("BNB", "USDT", Decimal("912.34000000")),
    ]


async def test_binance_klines_close_prices(serve, http) -> None:
    url = await serve({"/api/v3/klines": (200, sample("binance/klines.json"), JSON)})
    client = BinanceClient("bn", prices("binance", url, ["BTCUSDT"]), http)
    (quote,) = await client.klines("BTCUSDT", datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
    assert quote.price == Decimal("90420.10000000")
    assert quote.source_time == datetime.fromtimestamp(1795323599, UTC).replace(microsecond=999000)


async def test_kraken_canonical_pair_and_last_price(serve, http) -> None:
    url = await serve({"/0/public/Ticker": (200, sample("kraken/ticker.json"), JSON)})
    (quote,) = await KrakenClient("kr", prices("kraken", url, ["XBTUSD"]), http).quotes()
    assert (quote.base, quote.quote, quote.price) == ("BTC", "USD", Decimal("91241.20000"))


async def test_coinbase_ticker(serve, http) -> None:
    url = await serve({"/products/BTC-USD/ticker": (200, sample("coinbase/ticker.json"), JSON)})
    (quote,) = await CoinbaseClient("cb", prices("coinbase", url, ["BTC-USD"]), http).quotes()
    assert quote.price == Decimal("91238.41")
    assert quote.source_time == datetime(2026, 11, 22, 23, 59, 58, 123456, tzinfo=UTC)


def test_nbk_rates_per_quant() -> None:
    day, rates = parse_rates(sample("nbk/get_rates.xml"))
    assert day == date(2026, 11, 23)
    assert rates["USD"] == Decimal("512.34")
    assert rates["UZS"] == Decimal("0.0401")
    assert parse_rates(sample("nbk/get_rates_no_data.xml")) is None


async def test_nbk_falls_back_to_the_last_published_day_and_says_so(serve, http) -> None:
    seen: list = []
    url = await serve({"/rss/get_rates.cfm": (200, sample("nbk/get_rates_no_data.xml"), "application/xml")}, seen)
    client = NbkClient("nbk", prices("nbk", url, ["USD"]), http)
    # the first two days asked have no rates; then the sample with rates
    responses = iter([sample("nbk/get_rates_no_data.xml"), sample("nbk/get_rates_no_data.xml")])

    async def fake_call(path, params=None):
        from desk.feeds.http import Response

        seen.append(params["fdate"])
        return Response(200, next(responses, sample("nbk/get_rates.xml")), {}, path), ""

    client.call = fake_call  # type: ignore[method-assign]
    (quote,) = await client.quotes()
    assert seen == ["24.11.2026", "23.11.2026", "22.11.2026"]
    assert quote.price == Decimal("512.34") and "23.11.2026" in (quote.note or "")

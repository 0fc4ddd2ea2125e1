"""The chain sections and [[addresses]]: pairs that belong together, accounts that exist."""

from __future__ import annotations

import pytest

from desk.config import ConfigError, load_settings
from tests.conftest import REPO

RESERVE_BTC = "bc1qdeskdemo0reserve0cold000000000000000000"
BSC = "0x00000000000000000000000000000000deadbeef"
SOL = "DeskDemoReserveOwner1111111111111111111111111"


def problems(*addresses: dict, **sections: object) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env={}, overrides={"addresses": list(addresses), **sections})
    return caught.value.problems


def entry(**fields: str) -> dict:
    return {"account": "assets:reserve:cold", "chain": "bitcoin", "asset": "BTC", "address": RESERVE_BTC, **fields}


def test_example_file_has_an_address_per_chain() -> None:
    settings = load_settings(REPO / "config.example.toml", env={})
    assert {a.chain for a in settings.addresses} == {"bitcoin", "bsc", "solana"}
    assert settings.chains.esplora.url == "https://mempool.space/api"
    assert settings.chains.solana.kzte_mint
    assert settings.mining.hashrate_ph is None


def test_a_valid_address_per_chain_loads() -> None:
    settings = load_settings(
        None,
        env={},
        overrides={
            "chains": {"solana": {"kzte_mint": "KZTEDemoMint11111111111111111111111111111111"}},
            "addresses": [
                entry(),
                entry(chain="bsc", asset="BNB", address=BSC, custody="exchange"),
                entry(chain="solana", asset="KZTE", address=SOL, custody="custodian"),
            ],
        },
    )
    assert [a.asset for a in settings.addresses] == ["BTC", "BNB", "KZTE"]


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({"asset": "BNB"}, "asset 'BNB' is not watched on bitcoin; bitcoin holds BTC"),
        ({"chain": "bsc", "asset": "KZTE", "address": BSC}, "bsc holds BNB"),
        ({"chain": "solana", "asset": "BTC", "address": SOL}, "solana holds KZTE"),
        ({"account": "income:mining:x"}, "not an address-holding account"),
        ({"account": "assets:reserve:Cold"}, "not an address-holding account"),
        ({"account": "assets:reserve:hot"}, "add 'hot' to reserve.accounts"),
        ({"account": "assets:wallet:hot"}, "add 'hot' to accounts.wallets"),
        ({"chain": "bsc", "asset": "BNB"}, "does not look like a bsc address"),
        ({"chain": "ethereum"}, "addresses.0.chain"),
        ({"custody": "hot"}, "addresses.0.custody"),
    ],
)
def test_bad_address_entries_are_named(fields: dict, needle: str) -> None:
    lines = problems(entry(**fields))
    assert len(lines) == 1
    assert needle in lines[0]


def test_solana_address_needs_the_mint_and_duplicates_are_refused() -> None:
    assert "needs chains.solana.kzte_mint" in problems(entry(chain="solana", asset="KZTE", address=SOL))[0]
    assert "listed twice for bitcoin" in problems(entry(), entry())[0]

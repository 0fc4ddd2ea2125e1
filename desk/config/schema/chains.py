"""The chains desk watches (`[chains.*]`, read-only: it never signs anything) and the
watch-only addresses (`[[addresses]]`) whose coins belong to a configured account."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from desk.config.schema.base import HttpUrl, Section
from desk.names import NAME_PATTERN

DEFAULT_ESPLORA_URL = "https://mempool.space/api"
DEFAULT_BSC_RPC_URL = "https://bsc-dataseed.bnbchain.org"
DEFAULT_SOLANA_RPC_URL = "https://api.mainnet-beta.solana.com"

ChainName = Literal["bitcoin", "bsc", "solana"]
Custody = Literal["cold", "exchange", "custodian"]

#: The one asset desk watches on each chain (KZTE is the SPL token of `chains.solana.kzte_mint`).
CHAIN_ASSETS: dict[str, str] = {"bitcoin": "BTC", "bsc": "BNB", "solana": "KZTE"}

#: A rough shape per chain, enough to catch an address pasted under the wrong chain.
_ADDRESS_SHAPES: dict[str, re.Pattern[str]] = {
    "bitcoin": re.compile(r"(?:bc1|tb1|bcrt1)[a-z0-9]{8,87}|[123mn][1-9A-HJ-NP-Za-km-z]{25,34}"),
    "bsc": re.compile(r"0x[0-9a-fA-F]{40}"),
    "solana": re.compile(r"[1-9A-Za-z]{32,48}"),
}

#: Account kinds an address can belong to: `<kind>:<name>` where the name is configured.
_ADDRESS_ACCOUNT = re.compile(f"assets:(?P<kind>reserve|wallet|exchange):(?P<name>{NAME_PATTERN})")


class EsploraSettings(Section):
    """The Esplora API (mempool.space, Blockstream, or self-hosted) for BTC addresses and blocks."""

    base_url: HttpUrl = DEFAULT_ESPLORA_URL

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/")


class BscSettings(Section):
    """A BNB Smart Chain JSON-RPC node (any Ethereum-compatible node answers eth_getBalance)."""

    rpc_url: HttpUrl = DEFAULT_BSC_RPC_URL


class SolanaSettings(Section):
    """A Solana JSON-RPC node and the KZTE token's mint (configuration, since it is not fixed)."""

    rpc_url: HttpUrl = DEFAULT_SOLANA_RPC_URL
    kzte_mint: str | None = None


class ChainsSettings(Section):
    """Where desk reads the chains it watches (read-only; it never signs anything)."""

    esplora: EsploraSettings = Field(default_factory=EsploraSettings)
    bsc: BscSettings = Field(default_factory=BscSettings)
    solana: SolanaSettings = Field(default_factory=SolanaSettings)


class AddressSettings(Section):
    """One watch-only address and the account whose coins it holds (`[[addresses]]`)."""

    account: str
    chain: ChainName
    asset: str
    address: str
    custody: Custody = "cold"

    @model_validator(mode="after")
    def _consistent(self) -> AddressSettings:
        if not _ADDRESS_ACCOUNT.fullmatch(self.account):
            raise ValueError(
                f"account {self.account!r} is not an address-holding account; "
                "use assets:reserve:<name>, assets:wallet:<name> or assets:exchange:<name>"
            )
        expected = CHAIN_ASSETS[self.chain]
        if self.asset != expected:
            raise ValueError(f"asset {self.asset!r} is not watched on {self.chain}; {self.chain} holds {expected}")
        if not _ADDRESS_SHAPES[self.chain].fullmatch(self.address):
            raise ValueError(f"address {self.address!r} does not look like a {self.chain} address")
        return self

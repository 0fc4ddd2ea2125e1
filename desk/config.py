"""desk's configuration: one TOML file, environment overrides, secrets from a directory.

Precedence, highest first (documented in the README, as a service under cron or systemd
expects): environment variables `DESK_<SECTION>__<KEY>`, then secret files, then the TOML
file, then defaults. Unknown keys are errors, so a misspelt key never silently falls back to
a default. Every problem is reported at once, one line each, naming where it came from.
"""

from __future__ import annotations

import getpass
import os
import re
import stat
import tomllib
import warnings
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.exceptions import SettingsError
from pydantic_settings.sources.utils import parse_env_vars

from desk.money import DEFAULT_PRECISIONS, MAX_PRECISION, Asset
from desk.names import NAME_PATTERN

APP_NAME = "desk"
ENV_PREFIX = "DESK_"
NESTED = "__"

Name = Annotated[str, Field(pattern=f"^{NAME_PATTERN}$")]
"""A name that becomes part of an account path (`assets:wallet:<name>`)."""


def check_url(value: str, schemes: tuple[str, ...] = ("https", "http")) -> str:
    """A base URL desk can put paths after: one of `schemes`, a host, no query, fragment or
    credentials (those would be printed wherever the URL is, and belong in a token)."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a URL ({exc})") from None
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"{value!r} is not a URL; expected {schemes[0]}://host[:port][/path] ({' or '.join(schemes)})")
    if any(c.isspace() for c in value) or not value.isprintable():
        raise ValueError(f"{value!r} is not a URL: it holds spaces or control characters")
    if parts.username is not None or parts.password is not None:
        raise ValueError("a URL with credentials in it is refused (it would appear in logs); put them in a token")
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: a base URL takes no query or fragment")
    if port == 0:
        raise ValueError(f"{value!r}: port 0 is not a port")
    return value


HttpUrl = Annotated[str, AfterValidator(check_url)]
"""A base URL of an HTTP API, kept as the text given."""

PoolKind = Literal["braiins", "f2pool", "foundry", "ocean"]
PriceKind = Literal["binance", "binance_ws", "kraken", "coinbase", "nbk"]

DEFAULT_POOL_URLS: dict[str, str] = {
    "braiins": "https://pool.braiins.com",
    "f2pool": "https://api.f2pool.com",
    "foundry": "https://api.foundryusapool.com",
    "ocean": "https://api.ocean.xyz",
}
DEFAULT_PRICE_URLS: dict[str, str] = {
    "binance": "https://api.binance.com",
    "binance_ws": "wss://stream.binance.com:9443",
    "kraken": "https://api.kraken.com",
    "coinbase": "https://api.exchange.coinbase.com",
    "nbk": "https://nationalbank.kz",
}


class ConfigError(Exception):
    """Configuration that cannot be used; `problems` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _default_register_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "register.sqlite"


class RegisterSettings(_Section):
    """Where the book of record lives."""

    path: Path = Field(default_factory=_default_register_path)

    @field_validator("path")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()


class OperatorSettings(_Section):
    """Who is at the keyboard: every draft and approval is signed with this name."""

    name: Name = Field(default_factory=lambda: _login_name())


def _login_name() -> str:
    raw = getpass.getuser().lower()
    cleaned = re.sub(r"[^a-z0-9_-]", "-", raw).strip("-") or "operator"
    return cleaned[:40]


class AccountsSettings(_Section):
    """Operational accounts beyond those the pools and the reserve imply."""

    wallets: list[Name] = Field(default_factory=lambda: ["ops"])
    exchanges: list[Name] = Field(default_factory=list)
    seizure_cases: list[Name] = Field(default_factory=list)


class PoolSettings(_Section):
    """One mining pool account; the table's key in `[pools.<name>]` is its name."""

    kind: PoolKind
    base_url: HttpUrl | None = None
    token: SecretStr | None = None
    user: str | None = None
    address: str | None = None
    pays_into: Name = "ops"
    enabled: bool = True

    @model_validator(mode="after")
    def _identity(self) -> PoolSettings:
        if self.kind == "f2pool" and not (self.user or self.address):
            raise ValueError("f2pool needs `user` (mining user name) or `address`")
        if self.kind in {"foundry", "ocean"} and not self.user:
            raise ValueError(f"{self.kind} needs `user` (the sub-account or payout address)")
        return self

    @property
    def needs_token(self) -> bool:
        """A token is required to poll, but its absence is the feed's state, not a config
        error: the file can be checked and shared before the secrets are in place."""
        return self.kind in {"braiins", "f2pool", "foundry"} and self.token is None

    @property
    def url(self) -> str:
        return (self.base_url or DEFAULT_POOL_URLS[self.kind]).rstrip("/")


class PriceSourceSettings(_Section):
    """One price source; the table's key in `[prices.sources.<name>]` is its name."""

    kind: PriceKind
    base_url: str | None = None
    symbols: list[str] = Field(default_factory=list)
    enabled: bool = True

    @model_validator(mode="after")
    def _url_of_kind(self) -> PriceSourceSettings:
        """The streaming source speaks WebSocket, the others HTTP."""
        if self.base_url is not None:
            check_url(self.base_url, ("wss", "ws") if self.kind == "binance_ws" else ("https", "http"))
        return self

    @property
    def url(self) -> str:
        return (self.base_url or DEFAULT_PRICE_URLS[self.kind]).rstrip("/")


def _default_price_sources() -> dict[str, PriceSourceSettings]:
    return {
        "binance": PriceSourceSettings(kind="binance", symbols=["BTCUSDT", "BNBUSDT"]),
        "kraken": PriceSourceSettings(kind="kraken", symbols=["XBTUSD"]),
        "coinbase": PriceSourceSettings(kind="coinbase", symbols=["BTC-USD"]),
        "nbk": PriceSourceSettings(kind="nbk", symbols=["USD"]),
    }


class PricesSettings(_Section):
    """Where prices come from and which currencies figures are reported in."""

    reporting: list[Literal["USD", "KZT", "BTC"]] = Field(default_factory=lambda: ["USD", "KZT"])
    sources: dict[Name, PriceSourceSettings] = Field(default_factory=_default_price_sources)
    kzte_peg: Decimal = Decimal(1)


class ReserveSettings(_Section):
    """The fund the desk feeds: its name and its custody accounts."""

    fund: str = "Alem Crypto Fund"
    accounts: list[Name] = Field(default_factory=lambda: ["cold"])


class SyncSettings(_Section):
    """How often feeds are polled, in seconds, and how far back the first run reaches."""

    pools_interval: Annotated[int, Field(gt=0, le=86_400)] = 300
    prices_interval: Annotated[int, Field(gt=0, le=86_400)] = 30
    backfill_days: Annotated[int, Field(ge=0, le=3650)] = 90


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


class EsploraSettings(_Section):
    """The Esplora API (mempool.space, Blockstream, or self-hosted) for BTC addresses and blocks."""

    base_url: HttpUrl = DEFAULT_ESPLORA_URL

    @property
    def url(self) -> str:
        return self.base_url.rstrip("/")


class BscSettings(_Section):
    """A BNB Smart Chain JSON-RPC node (any Ethereum-compatible node answers eth_getBalance)."""

    rpc_url: HttpUrl = DEFAULT_BSC_RPC_URL


class SolanaSettings(_Section):
    """A Solana JSON-RPC node and the KZTE token's mint (configuration, since it is not fixed)."""

    rpc_url: HttpUrl = DEFAULT_SOLANA_RPC_URL
    kzte_mint: str | None = None


class ChainsSettings(_Section):
    """Where desk reads the chains it watches (read-only; it never signs anything)."""

    esplora: EsploraSettings = Field(default_factory=EsploraSettings)
    bsc: BscSettings = Field(default_factory=BscSettings)
    solana: SolanaSettings = Field(default_factory=SolanaSettings)


class AddressSettings(_Section):
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


class MiningSettings(_Section):
    """Overrides for hashprice: the fleet's hashrate (a fallback: the pools' own figures,
    read by the sync, come first) and, when no Esplora is reachable, the network difficulty
    and average fees per block."""

    hashrate_ph: Annotated[Decimal, Field(gt=0)] | None = None
    difficulty: Annotated[Decimal, Field(gt=0)] | None = None
    fees_per_block_btc: Annotated[Decimal, Field(ge=0)] | None = None


class ValuationSettings(_Section):
    """When a price is too old to trust and how far two sources may disagree."""

    #: seconds: a market price older than this at the valuation time is flagged stale
    stale_after: Annotated[int, Field(gt=0, le=30 * 86_400)] = 3_600
    #: days: an official USD/KZT rate older than this before the business date is flagged
    #: stale (weekends and holidays are normal gaps of up to four days)
    rate_stale_days: Annotated[int, Field(ge=1, le=60)] = 5
    #: percent: the same asset priced by two sources further apart than this is flagged
    price_band: Annotated[Decimal, Field(gt=0, le=100)] = Decimal(2)


AlertKind = Literal["price", "hashprice", "payout_missing", "compliance", "reconciliation", "feed"]
#: kind -> the trigger fields it needs (all of them) and may take
_ALERT_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "price": (("asset",), ("asset", "currency", "above", "below")),
    "hashprice": (("hashcost",), ("hashcost",)),
    "payout_missing": (("hours",), ("pool", "hours")),
    "compliance": ((), ()),
    "reconciliation": ((), ()),
    "feed": ((), ("feed", "states")),
}


class AlertSettings(_Section):
    """One `[[alerts]]` rule: a trigger, its parameters, and how often it may speak."""

    kind: AlertKind
    name: Name | None = None
    enabled: bool = True
    level: Literal["info", "warning", "critical"] = "warning"
    #: seconds: the same rule and subject are not repeated within this
    debounce: Annotated[int, Field(ge=0, le=7 * 86_400)] = 3_600
    #: notices per rule per UTC day at most
    daily_cap: Annotated[int, Field(ge=1, le=10_000)] = 20
    asset: str | None = None
    currency: Literal["USD", "USDT", "KZT"] | None = None
    above: Annotated[Decimal, Field(gt=0)] | None = None
    below: Annotated[Decimal, Field(gt=0)] | None = None
    #: USD per PH/s per day: what running a PH/s costs
    hashcost: Annotated[Decimal, Field(gt=0)] | None = None
    pool: Name | None = None
    hours: Annotated[int, Field(gt=0, le=30 * 24)] | None = None
    feed: Name | None = None
    states: list[Literal["stale", "degraded", "down"]] | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> AlertSettings:
        needs, takes = _ALERT_FIELDS[self.kind]
        params = ("asset", "currency", "above", "below", "hashcost", "pool", "hours", "feed", "states")
        extra = [f for f in params if getattr(self, f) is not None and f not in takes]
        if extra:
            raise ValueError(f"a {self.kind} alert does not take {', '.join(extra)}")
        missing = [f for f in needs if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} alert needs {', '.join(missing)}")
        if self.kind == "price" and self.above is None and self.below is None:
            raise ValueError("a price alert needs a level: above, below or both")
        return self


class ReconcileSettings(_Section):
    """How `desk reconcile` tells an expected difference from a break."""

    #: hours: a record credited or a payout made this long after its day is timing, not a break
    #: (pools credit a day at about 01:00 UTC the next day and pay hours later)
    timing_hours: Annotated[int, Field(gt=0, le=14 * 24)] = 26
    #: days reconciled when no --from/--to is given (ending today)
    days: Annotated[int, Field(gt=0, le=366)] = 7
    #: BTC: a pool balance below this is dust the pool carries over; per pool in `thresholds`
    payout_threshold: Annotated[Decimal, Field(gt=0)] = Decimal("0.01")
    thresholds: dict[Name, Annotated[Decimal, Field(gt=0)]] = Field(default_factory=dict)

    def threshold(self, pool: str) -> Decimal:
        return self.thresholds.get(pool, self.payout_threshold)


class VenueSettings(_Section):
    """An exchange the desk sells on; `[venues.<name>]` matches `assets:exchange:<name>`.
    `eligible` marks it licensed for the sell-through obligation (AIFC-licensed)."""

    eligible: bool = False
    licence: str = ""


class DatedRow(_Section):
    """A row of an effective-dated table: in force from `effective_from` (inclusive) until
    `effective_to` (exclusive; open-ended when absent), with the text it comes from."""

    effective_from: date
    effective_to: date | None = None
    #: where the figure comes from: the law, article, date (shown with the figures)
    source: Annotated[str, Field(min_length=1)]
    #: show "verify against the current law" next to figures computed from this row
    verify: bool = True

    @model_validator(mode="after")
    def _dates(self) -> DatedRow:
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError(f"effective_to {self.effective_to} must be after effective_from {self.effective_from}")
        return self


class SellRuleSettings(DatedRow):
    """One row of the sell-through schedule (desk/compliance/schedule.toml holds the default)."""

    id: Name
    #: the share that must be sold, 0 < share <= 1 (write it as text: "0.75")
    required_share: Annotated[Decimal, Field(gt=0, le=1)]
    basis: Literal["mined_coins", "fiat_revenue"] = "mined_coins"
    period: Literal["month", "quarter", "year"] = "month"
    #: venues whose sales count; empty: every `[venues.*]` marked eligible
    venues: list[Name] = Field(default_factory=list)
    #: whether transfers into the state reserve count as sold through
    reserve_transfers_count: bool = False


class FeeRateSettings(DatedRow):
    """One row of the digital-mining fee table (desk/compliance/fee_rates.toml by default)."""

    energy: Name
    kzt_per_kwh: Annotated[Decimal, Field(ge=0)]


class ComplianceSettings(_Section):
    """The sell-through schedule and the mining-fee table; each replaces the shipped table
    when given (`[[compliance.rules]]`, `[[compliance.fee_rates]]`)."""

    rules: list[SellRuleSettings] = Field(default_factory=list)
    fee_rates: list[FeeRateSettings] = Field(default_factory=list)


RoleName = Literal["viewer", "maker", "checker", "admin", "auditor"]
LimitWindow = Literal["transfer", "day", "month"]
ValueCurrency = Literal["KZT", "USD", "USDT"]


class _Measured(_Section):
    """In an asset's units (`asset`) or in value (`currency`): exactly one of the two."""

    asset: str | None = None
    currency: ValueCurrency | None = None

    @model_validator(mode="after")
    def _one_unit(self) -> _Measured:
        if (self.asset is None) == (self.currency is None):
            raise ValueError("give exactly one of asset (amounts) or currency (value)")
        return self


class LimitSettings(_Measured):
    """What may leave per transfer, per UTC day or per calendar month: strictly below `below`."""

    per: LimitWindow
    below: Annotated[Decimal, Field(gt=0)]


class QuorumSettings(_Measured):
    """Drafts worth `at_least` or more need `approvals` distinct checkers (never the maker)."""

    at_least: Annotated[Decimal, Field(gt=0)]
    approvals: Annotated[int, Field(ge=2, le=9)]


class PolicySettings(_Section):
    """The treasury policy's starting point; changes made in desk (maker-checker) add to it."""

    allowlist: dict[str, list[str]] = Field(default_factory=dict)
    limits: list[LimitSettings] = Field(default_factory=list)
    quorums: list[QuorumSettings] = Field(default_factory=list)


# `register` is the natural name of the section; it shadows ABCMeta.register, harmlessly.
warnings.filterwarnings("ignore", message='Field name "register"', category=UserWarning)


class DeskSettings(BaseSettings):
    """The whole configuration; passed explicitly to the engine and the app, never global."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=NESTED,
        extra="forbid",
        case_sensitive=False,
        frozen=True,
    )

    register: RegisterSettings = Field(default_factory=RegisterSettings)
    operator: OperatorSettings = Field(default_factory=OperatorSettings)
    assets: dict[str, Annotated[int, Field(ge=0, le=MAX_PRECISION, strict=False)]] = Field(
        default_factory=lambda: dict(DEFAULT_PRECISIONS)
    )
    accounts: AccountsSettings = Field(default_factory=AccountsSettings)
    pools: dict[Name, PoolSettings] = Field(default_factory=dict)
    prices: PricesSettings = Field(default_factory=PricesSettings)
    reserve: ReserveSettings = Field(default_factory=ReserveSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    chains: ChainsSettings = Field(default_factory=ChainsSettings)
    addresses: list[AddressSettings] = Field(default_factory=list)
    mining: MiningSettings = Field(default_factory=MiningSettings)
    valuation: ValuationSettings = Field(default_factory=ValuationSettings)
    reconcile: ReconcileSettings = Field(default_factory=ReconcileSettings)
    venues: dict[Name, VenueSettings] = Field(default_factory=dict)
    compliance: ComplianceSettings = Field(default_factory=ComplianceSettings)
    roles: dict[Name, list[RoleName]] = Field(default_factory=dict)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    alerts: list[AlertSettings] = Field(default_factory=list)

    @field_validator("assets", mode="before")
    @classmethod
    def _merge_assets(cls, value: Any) -> Any:
        """Configured precisions add to or change the defaults; codes are upper case."""
        if not isinstance(value, Mapping):
            return value
        merged: dict[str, Any] = dict(DEFAULT_PRECISIONS)
        for code, precision in value.items():
            if isinstance(precision, (bool, float)):  # float-ok: refusing 8.5 as a precision
                raise ValueError(f"precision of {code} must be a whole number, not {precision!r}")
            merged[str(code).upper()] = precision
        return merged

    @model_validator(mode="after")
    def _cross_checks(self) -> DeskSettings:
        for code, precision in self.assets.items():
            Asset(code, precision)
        for name, pool in self.pools.items():
            if pool.pays_into not in self.accounts.wallets:
                raise ValueError(f"pool {name!r} pays into wallet {pool.pays_into!r}, which is not in accounts.wallets")
        self._check_addresses()
        self._check_policy_assets()
        for name in self.venues:
            if name not in self.accounts.exchanges:
                raise ValueError(f"venue {name!r} is not in accounts.exchanges")
        return self

    def _check_policy_assets(self) -> None:
        """The policy names only configured assets."""
        named = [*self.policy.allowlist, *(x.asset for x in (*self.policy.limits, *self.policy.quorums) if x.asset)]
        for code in named:
            if code not in self.assets:
                raise ValueError(f"policy: asset {code!r} is not configured; known: {', '.join(sorted(self.assets))}")

    def _check_addresses(self) -> None:
        """Each address belongs to a configured account, once; KZTE needs its mint."""
        configured = {
            "reserve": self.reserve.accounts,
            "wallet": self.accounts.wallets,
            "exchange": self.accounts.exchanges,
        }
        seen: set[tuple[str, str]] = set()
        for index, entry in enumerate(self.addresses):
            where = f"addresses.{index} ({entry.address})"
            kind, name = entry.account.split(":")[1:]
            if name not in configured[kind]:
                section = "reserve.accounts" if kind == "reserve" else f"accounts.{kind}s"
                raise ValueError(f"{where}: account {entry.account!r} is not configured; add {name!r} to {section}")
            if (entry.chain, entry.address) in seen:
                raise ValueError(f"{where}: listed twice for {entry.chain}")
            seen.add((entry.chain, entry.address))
            if entry.chain == "solana" and not self.chains.solana.kzte_mint:
                raise ValueError(f"{where}: a solana address needs chains.solana.kzte_mint (the KZTE token mint)")

    def asset(self, code: str) -> Asset:
        """The configured asset for `code` (KeyError names the known codes)."""
        try:
            return Asset(code, self.assets[code])
        except KeyError:
            raise KeyError(f"unknown asset {code!r}; configured: {', '.join(sorted(self.assets))}") from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file's content arrives as init kwargs (see `load_settings`), so it ranks
        # below the environment and the secrets directory.
        env, secrets_dir = _LOAD_CONTEXT.get((os.environ, None))
        return (
            _MappingEnvSource(settings_cls, env),
            _SecretsDirSource(settings_cls, secrets_dir),
            init_settings,
        )


#: The environment and secrets directory of the `load_settings` call in progress, so tests
#: (and `desk config check`) can load from a given environment without touching os.environ.
_LOAD_CONTEXT: ContextVar[tuple[Mapping[str, str], Path | None]] = ContextVar("desk_config_load")


class _MappingEnvSource(EnvSettingsSource):
    """The stock environment source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        self._env = env
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._env, self.case_sensitive, self.env_ignore_empty, self.env_parse_none_str)

    def decode_complex_value(self, field_name: str, field: Any, value: Any) -> Any:
        """A list or table is written as JSON in a variable; text that is not JSON is left
        as text, so validation names the variable and what it expects (see `_explain`)
        instead of failing the whole load."""
        try:
            return super().decode_complex_value(field_name, field, value)
        except ValueError:
            return value


class _SecretsDirSource(PydanticBaseSettingsSource):
    """Secrets as files named like the environment variables, without the prefix.

    `pools__braiins__token` in the secrets directory sets `[pools.braiins] token`, the way
    Docker and systemd credentials hand secrets over. Files must not be readable by group
    or others.
    """

    def __init__(self, settings_cls: type[BaseSettings], directory: Path | None) -> None:
        super().__init__(settings_cls)
        self.directory = directory

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:  # pragma: no cover
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.directory is None or not self.directory.is_dir():
            return {}
        data: dict[str, Any] = {}
        problems: list[str] = []
        for path in sorted(self.directory.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            try:
                ensure_private(path, what="secret file")
                value = read_secret(path)
            except ConfigError as exc:
                problems += exc.problems
                continue
            keys = path.name.lower().split(NESTED)
            node = data
            for key in keys[:-1]:
                node = node.setdefault(key, {})
            node[keys[-1]] = value
        if problems:
            raise ConfigError(problems)
        return data


def read_secret(path: Path) -> str:
    """A secret file's text, stripped; a file that cannot be read or is not UTF-8 is named
    (its content never is)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError([f"{path}: secret file cannot be read: {exc.strerror}"]) from None
    try:
        return raw.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [f"{path}: secret file is not UTF-8 text (byte {exc.start + 1}); save it as plain UTF-8 text"]
        ) from None


def ensure_private(path: Path, *, what: str) -> None:
    """Refuse a credentials file that group or others can read, as ssh does with keys."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            [
                f"{path}: {what} is readable by group or others (mode {stat.S_IMODE(mode):o}); "
                f"it holds credentials, so desk refuses it. Fix: chmod 600 {path}"
            ]
        )


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_secrets_dir() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "secrets"


def resolve_config_path(explicit: Path | None, env: Mapping[str, str]) -> Path:
    """`--config PATH`, else `$DESK_CONFIG`, else the platform config dir."""
    if explicit is not None:
        return explicit.expanduser()
    if env.get("DESK_CONFIG"):
        return Path(env["DESK_CONFIG"]).expanduser()
    return default_config_path()


_SECRET_KEYS = {"token"}


def _holds_secret(data: Any) -> bool:
    if isinstance(data, Mapping):
        return any((k in _SECRET_KEYS and v) or _holds_secret(v) for k, v in data.items())
    return False


def read_toml(path: Path) -> dict[str, Any]:
    """Read the config file; a missing default file is an empty config, a bad one an error."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such config file (copy config.example.toml there to start)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError([f"{path}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    if _holds_secret(data):
        ensure_private(path, what="config file")
    return data


def load_settings(
    config_path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    secrets_dir: Path | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> DeskSettings:
    """Load and validate the configuration, or raise ConfigError listing every problem.

    A config file named explicitly (flag or `$DESK_CONFIG`) must exist; the default one
    may be absent, and then defaults and environment apply.
    """
    env = os.environ if env is None else env
    explicit = config_path is not None or bool(env.get("DESK_CONFIG"))
    path = resolve_config_path(config_path, env)
    data: dict[str, Any] = {}
    if explicit or path.exists():
        data = read_toml(path)
    if overrides:
        data = _deep_merge(data, overrides)
    if secrets_dir is None and env.get("DESK_SECRETS_DIR"):
        secrets_dir = Path(env["DESK_SECRETS_DIR"])
    if secrets_dir is None:
        secrets_dir = default_secrets_dir()
    token = _LOAD_CONTEXT.set((env, secrets_dir))
    try:
        return DeskSettings(**data)
    except ValidationError as exc:
        raise ConfigError(_explain(exc, path, env, secrets_dir)) from None
    except SettingsError as exc:  # a source that could not be read at all
        cause = f" ({exc.__cause__})" if exc.__cause__ else ""
        raise ConfigError([f"environment or secrets: {exc}{cause}"]) from None
    finally:
        _LOAD_CONTEXT.reset(token)


def _deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _explain(exc: ValidationError, path: Path, env: Mapping[str, str], secrets_dir: Path | None) -> list[str]:
    """One line per problem: where it came from, the key path, what is wrong, what is allowed."""
    lines = []
    for error in exc.errors(include_url=False):
        loc = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        # pydantic appends the validator kind for union/literal members; keep the key path only
        loc = [part for part in loc if part not in {"str", "constrained-str", "int"}]
        key = ".".join(loc) or "(top level)"
        origin = _origin(loc, path, env, secrets_dir)
        problem = _describe(error, secret=bool(_SECRET_KEYS & set(loc)))
        if origin.startswith("environment ") and error["type"] in _CONTAINER_ERRORS:
            problem += '; in the environment a list or table is written as JSON, e.g. ["ops", "hot"]'

        if error["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            if allowed:
                problem += f"; allowed here: {', '.join(allowed)}"
        lines.append(f"{origin}: {key}: {problem}")
    return lines


def _allowed_keys(parent: list[str]) -> list[str]:
    """The keys a section accepts, walking the models down `parent` (dict keys skipped)."""
    model: Any = DeskSettings
    for part in parent:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            continue  # a user-chosen name such as a pool's: the next part is inside it
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        model = args[-1] if args and isinstance(args[-1], type) else annotation
    return sorted(getattr(model, "model_fields", {}))


def _origin(loc: list[str], path: Path, env: Mapping[str, str], secrets_dir: Path | None) -> str:
    for depth in range(len(loc), 0, -1):
        name = ENV_PREFIX + NESTED.join(loc[:depth]).upper()
        if any(k.upper() == name for k in env):
            return f"environment {name}"
        if secrets_dir is not None:
            candidate = secrets_dir / NESTED.join(loc[:depth]).lower()
            if candidate.is_file():
                return str(candidate)
    return str(path)


_CONTAINER_ERRORS = frozenset({"list_type", "dict_type", "model_type", "model_attributes_type"})


def _describe(error: Mapping[str, Any], *, secret: bool = False) -> str:
    """What is wrong, for a person; the value given is shown unless it is a secret (a token
    typed as a number is still a token)."""
    kind = error["type"]
    given = error.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling against config.example.toml)"
    if kind == "missing":
        return "required key is missing"
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if secret:
        return f"{message} (the value is a secret and is not shown; write it as quoted text)"
    if isinstance(given, (str, int, Decimal)) and not isinstance(given, bool) and kind != "value_error":
        return f"{message} (got {given!r})"
    return message


def warnings_for(settings: DeskSettings) -> list[str]:
    """Things that load but will not work yet, e.g. a pool without its token."""
    notes = []
    if not settings.roles:
        notes.append(
            "roles: none configured, so every operator is maker, checker and admin (the maker still never "
            "approves their own draft); list operators under [roles] to enforce roles"
        )
    for name, pool in settings.pools.items():
        if pool.enabled and pool.needs_token:
            notes.append(
                f"pools.{name}: no token yet; the feed stays down until one is set "
                f"(secret file pools__{name}__token or DESK_POOLS__{name.upper()}__TOKEN)"
            )
    return notes


def masked(settings: DeskSettings) -> dict[str, Any]:
    """The effective configuration as plain data with every secret replaced by ********."""

    def walk(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return "********"
        if isinstance(value, BaseModel):
            return {k: walk(getattr(value, k)) for k in type(value).model_fields}
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, Decimal):
            return str(value)
        return value

    return walk(settings)

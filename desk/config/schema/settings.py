"""`DeskSettings`, the whole configuration: every section, the asset precisions, and the
checks that span sections (a pool pays into a configured wallet, an address belongs to a
configured account, the policy names configured assets)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from desk.config.schema.alerts import AlertSettings
from desk.config.schema.base import ENV_PREFIX, NESTED, Name
from desk.config.schema.chains import AddressSettings, ChainsSettings
from desk.config.schema.compliance import ComplianceSettings, VenueSettings
from desk.config.schema.custody import CustodySettings
from desk.config.schema.feeds import PoolSettings, PricesSettings
from desk.config.schema.sections import (
    AccountsSettings,
    MiningSettings,
    OperatorSettings,
    ReconcileSettings,
    RegisterSettings,
    ReserveSettings,
    SyncSettings,
    ValuationSettings,
)
from desk.config.schema.transfers import TransfersSettings
from desk.config.schema.treasury import PolicySettings, RoleName
from desk.config.sources import sources_in_order
from desk.money import DEFAULT_PRECISIONS, MAX_PRECISION, Asset

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
    transfers: TransfersSettings = Field(default_factory=TransfersSettings)
    custody: CustodySettings = Field(default_factory=CustodySettings)

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
        return sources_in_order(settings_cls, init_settings)

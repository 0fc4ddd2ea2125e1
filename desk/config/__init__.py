"""desk's configuration: one TOML file, environment overrides, secrets from a directory.

Precedence, highest first (documented in the README, as a service under cron or systemd
expects): environment variables `DESK_<SECTION>__<KEY>`, then secret files, then the TOML
file, then defaults. Unknown keys are errors, so a misspelt key never silently falls back to
a default. Every problem is reported at once, one line each, naming where it came from.

The package: `schema/` (the sections and `DeskSettings`), `load` (which file, TOML,
precedence), `sources` (the environment and the secrets directory), `explain` (error text
for people), `secrets` (secret files, permissions, masking), `errors` (`ConfigError`).
Callers import from here.
"""

from desk.config.errors import ConfigError
from desk.config.explain import warnings_for
from desk.config.load import default_config_path, default_secrets_dir, load_settings, read_toml, resolve_config_path
from desk.config.schema.alerts import AlertKind, AlertSettings
from desk.config.schema.base import APP_NAME, ENV_PREFIX, NESTED, HttpUrl, Name, Section, check_url
from desk.config.schema.chains import (
    CHAIN_ASSETS,
    DEFAULT_BSC_RPC_URL,
    DEFAULT_ESPLORA_URL,
    DEFAULT_SOLANA_RPC_URL,
    AddressSettings,
    BscSettings,
    ChainName,
    ChainsSettings,
    Custody,
    EsploraSettings,
    SolanaSettings,
)
from desk.config.schema.compliance import (
    ComplianceSettings,
    DatedRow,
    FeeRateSettings,
    SellRuleSettings,
    VenueSettings,
)
from desk.config.schema.feeds import (
    DEFAULT_POOL_URLS,
    DEFAULT_PRICE_URLS,
    PoolKind,
    PoolSettings,
    PriceKind,
    PriceSourceSettings,
    PricesSettings,
)
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
from desk.config.schema.settings import DeskSettings
from desk.config.schema.transfers import TransfersSettings
from desk.config.schema.treasury import (
    LimitSettings,
    LimitWindow,
    PolicySettings,
    QuorumSettings,
    RoleName,
    ValueCurrency,
)
from desk.config.secrets import ensure_private, masked, read_secret

__all__ = [
    "APP_NAME",
    "CHAIN_ASSETS",
    "DEFAULT_BSC_RPC_URL",
    "DEFAULT_ESPLORA_URL",
    "DEFAULT_POOL_URLS",
    "DEFAULT_PRICE_URLS",
    "DEFAULT_SOLANA_RPC_URL",
    "ENV_PREFIX",
    "NESTED",
    "AccountsSettings",
    "AddressSettings",
    "AlertKind",
    "AlertSettings",
    "BscSettings",
    "ChainName",
    "ChainsSettings",
    "ComplianceSettings",
    "ConfigError",
    "Custody",
    "DatedRow",
    "DeskSettings",
    "EsploraSettings",
    "FeeRateSettings",
    "HttpUrl",
    "LimitSettings",
    "LimitWindow",
    "MiningSettings",
    "Name",
    "OperatorSettings",
    "PolicySettings",
    "PoolKind",
    "PoolSettings",
    "PriceKind",
    "PriceSourceSettings",
    "PricesSettings",
    "QuorumSettings",
    "ReconcileSettings",
    "RegisterSettings",
    "ReserveSettings",
    "RoleName",
    "Section",
    "SellRuleSettings",
    "SolanaSettings",
    "SyncSettings",
    "TransfersSettings",
    "ValuationSettings",
    "ValueCurrency",
    "VenueSettings",
    "check_url",
    "default_config_path",
    "default_secrets_dir",
    "ensure_private",
    "load_settings",
    "masked",
    "read_secret",
    "read_toml",
    "resolve_config_path",
    "warnings_for",
]

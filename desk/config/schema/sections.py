"""The desk's own sections: where the register lives, who operates, which accounts and
reserve exist, how often the sync polls, and the thresholds of mining, valuation and
reconciliation."""

from __future__ import annotations

import getpass
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, SecretStr, field_validator

from desk.config.schema.base import APP_NAME, Name, Section


def _default_register_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "register.sqlite"


class RegisterSettings(Section):
    """Where the book of record lives: an SQLite file at `path` (the default), or the
    database `url` names (`postgresql://user@host:port/db`, several desks on one register;
    `sqlite:///path` is the file). The server's password comes from the secrets dir (file
    `register__password`) or `DESK_REGISTER__PASSWORD`, never from the file or the URL."""

    path: Path = Field(default_factory=_default_register_path)
    url: str | None = None
    password: SecretStr | None = None

    @field_validator("path")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError(f"{value!r}: expected sqlite:///path or postgresql://user@host:port/db")
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018 -- a bad port raises here, with the URL named
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a URL ({exc})") from None
        if parts.password is not None:
            raise ValueError(
                "a register URL with a password in it is refused (it would be printed wherever the URL is); "
                "put the password in the secrets dir (register__password) or DESK_REGISTER__PASSWORD"
            )
        return value

    @property
    def effective_url(self) -> str:
        """The URL the register opens: `url`, else `sqlite:///` and the path."""
        return self.url or f"sqlite:///{self.path}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_url.startswith("sqlite:")


class OperatorSettings(Section):
    """Who is at the keyboard: every draft and approval is signed with this name."""

    name: Name = Field(default_factory=lambda: _login_name())


def _login_name() -> str:
    raw = getpass.getuser().lower()
    cleaned = re.sub(r"[^a-z0-9_-]", "-", raw).strip("-") or "operator"
    return cleaned[:40]


class AccountsSettings(Section):
    """Operational accounts beyond those the pools and the reserve imply."""

    wallets: list[Name] = Field(default_factory=lambda: ["ops"])
    exchanges: list[Name] = Field(default_factory=list)
    seizure_cases: list[Name] = Field(default_factory=list)


class ReserveSettings(Section):
    """The fund the desk feeds: its name and its custody accounts."""

    fund: str = "Alem Crypto Fund"
    accounts: list[Name] = Field(default_factory=lambda: ["cold"])


class SyncSettings(Section):
    """How often feeds are polled, in seconds, and how far back the first run reaches."""

    pools_interval: Annotated[int, Field(gt=0, le=86_400)] = 300
    prices_interval: Annotated[int, Field(gt=0, le=86_400)] = 30
    backfill_days: Annotated[int, Field(ge=0, le=3650)] = 90


class MiningSettings(Section):
    """Overrides for hashprice: the fleet's hashrate (a fallback: the pools' own figures,
    read by the sync, come first) and, when no Esplora is reachable, the network difficulty
    and average fees per block."""

    hashrate_ph: Annotated[Decimal, Field(gt=0)] | None = None
    difficulty: Annotated[Decimal, Field(gt=0)] | None = None
    fees_per_block_btc: Annotated[Decimal, Field(ge=0)] | None = None


class ValuationSettings(Section):
    """When a price is too old to trust and how far two sources may disagree."""

    #: seconds: a market price older than this at the valuation time is flagged stale
    stale_after: Annotated[int, Field(gt=0, le=30 * 86_400)] = 3_600
    #: days: an official USD/KZT rate older than this before the business date is flagged
    #: stale (weekends and holidays are normal gaps of up to four days)
    rate_stale_days: Annotated[int, Field(ge=1, le=60)] = 5
    #: percent: the same asset priced by two sources further apart than this is flagged
    price_band: Annotated[Decimal, Field(gt=0, le=100)] = Decimal(2)


class ReconcileSettings(Section):
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

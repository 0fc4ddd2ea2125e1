"""Account paths and the kinds they may take.

An account path names what the account is: `assets:wallet:ops`, `income:mining:f2main`.
The kinds are fixed because reports, exports and controls reason about them (income is
where revenue comes from, assets:reserve is what the fund holds).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from desk.names import NAME_PATTERN
from desk.register.errors import EntryRejected

if TYPE_CHECKING:
    from desk.config import DeskSettings

#: kind -> whether the kind takes a name after it
KINDS: dict[str, bool] = {
    "income:mining": True,
    "income:seized": True,
    "assets:pool": True,
    "assets:wallet": True,
    "assets:exchange": True,
    "assets:reserve": True,
    #: coins of an approved on-chain transfer between leaving one address and settling at
    #: another: `assets:transit:<chain>` (desk/transfers)
    "assets:transit": True,
    "expenses:fees": False,
    "equity:opening": False,
}

_NAME = re.compile(NAME_PATTERN)


@lru_cache(maxsize=4096)
def account_kind(path: str) -> str:
    """The kind of a valid account path, or EntryRejected saying what is wrong with it."""
    for kind, named in KINDS.items():
        if path == kind and not named:
            return kind
        if named and path.startswith(kind + ":") and _NAME.fullmatch(path[len(kind) + 1 :]):
            return kind
    raise EntryRejected(
        f"account {path!r} is not a valid account path; use one of: "
        + ", ".join(f"{k}:<name>" if named else k for k, named in KINDS.items()),
        field="account",
    )


def accounts_from_settings(settings: DeskSettings) -> list[str]:
    """Every account the configuration implies, in a stable order."""
    paths = ["equity:opening", "expenses:fees"]
    for pool in settings.pools:
        paths += [f"income:mining:{pool}", f"assets:pool:{pool}"]
    paths += [f"assets:wallet:{name}" for name in settings.accounts.wallets]
    paths += [f"assets:exchange:{name}" for name in settings.accounts.exchanges]
    paths += [f"income:seized:{case}" for case in settings.accounts.seizure_cases]
    paths += [f"assets:reserve:{name}" for name in settings.reserve.accounts]
    # where an on-chain transfer waits between approval and settlement: opened with the
    # config, so every process (the screen, the sync) knows it from the start
    paths += [f"assets:transit:{chain}" for chain in sorted({a.chain for a in settings.addresses})]
    for path in paths:
        account_kind(path)
    return paths


def is_operational_wallet(path: str) -> bool:
    return path.startswith("assets:wallet:") or path.startswith("assets:exchange:")


def is_reserve(path: str) -> bool:
    return path.startswith("assets:reserve:")

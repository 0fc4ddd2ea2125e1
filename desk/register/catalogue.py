"""The register's catalogue: its assets (code and precision) and its accounts.

Loaded once when the register opens and again after each change, so every reader maps an
account path to its id and an asset code to its `Asset` without a query. Functions here take
the Register and are reached through its thin public methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from desk.money import Asset
from desk.register import rules
from desk.register.accounts import account_kind, accounts_from_settings
from desk.register.entries import NewEntry, validate
from desk.register.errors import EntryRejected

if TYPE_CHECKING:
    from desk.config import DeskSettings
    from desk.register.register import Register


async def load(register: Register) -> None:
    register._account_ids = {path: i for i, path in await register._all("SELECT id, path FROM accounts")}
    register._assets = dict(await register._all("SELECT code, precision FROM assets"))
    #: one Asset per code, made once: readers build an amount per posting
    register._asset_objects = {code: Asset(code, precision) for code, precision in register._assets.items()}


async def init_accounts(register: Register, settings: DeskSettings) -> list[str]:
    """Create the assets and accounts the configuration implies; return the new accounts.
    Changing the precision of an asset already kept is refused: every amount would change."""
    wanted = accounts_from_settings(settings)
    async with register._db.write():
        existing = dict(await register._all("SELECT code, precision FROM assets"))
        for code, precision in settings.assets.items():
            if code in existing and existing[code] != precision:
                raise EntryRejected(
                    f"assets.{code}: the register keeps {code} at {existing[code]} decimals; "
                    f"it cannot change to {precision}",
                    field="assets",
                )
            if code not in existing:
                await register._db.execute("INSERT INTO assets (code, precision) VALUES (?, ?)", (code, precision))
        have = {path for (path,) in await register._all("SELECT path FROM accounts")}
        new = [path for path in wanted if path not in have]
        await open_accounts(register, new)
    await load(register)
    return new


async def add_account(register: Register, path: str) -> None:
    account_kind(path)  # refuses a path outside the account kinds before anything is written
    async with register._db.write():
        await open_accounts(register, [path])
    await load(register)


async def open_accounts(register: Register, paths: Sequence[str]) -> None:
    """Inside a write transaction: add accounts (their kind follows from the path)."""
    await register._db.executemany(
        "INSERT OR IGNORE INTO accounts (path, kind) VALUES (?, ?)", [(p, account_kind(p)) for p in paths]
    )


def asset(register: Register, code: str) -> Asset:
    found = register._asset_objects.get(code)
    if found is None:
        meant = f"; asset codes are upper case: {code.upper()}" if code.upper() in register._assets else ""
        raise EntryRejected(
            f"asset {code!r} is not in the register{meant}; known: {', '.join(sorted(register._assets))}",
            field="asset",
        )
    return found


def check(register: Register, entry: NewEntry, opening: Sequence[str] = ()) -> None:
    """Refuse `entry` unless it keeps every rule of an entry, its accounts exist (or are
    among `opening`, to be opened with it) and the account rules allow its moves."""
    validate(entry, register._assets)
    for posting in entry.postings:
        if posting.account not in register._account_ids and posting.account not in opening:
            raise EntryRejected(
                f"account {posting.account} does not exist (add it to the config and run `desk init`)",
                field="account",
            )
    rules.check_flows(entry)

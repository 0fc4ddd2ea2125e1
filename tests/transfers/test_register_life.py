"""The register's side of a transfer's life: transit at approval, settlement or return at the
end, each change a chained action that `desk verify` holds to its row and its entries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desk.config import DeskSettings, load_settings
from desk.money import BTC, Amount
from desk.register import EntryRejected, NewEntry, Posting, Register
from desk.register.transfers import Change
from desk.transfers.drafting import draft_transfer, on_chain_entry
from tests.builders import WATCHED_BTC

T0 = datetime(2026, 11, 1, tzinfo=UTC)
CONFIG = (
    """
[operator]
name = "aliya"
[accounts]
wallets = ["ops"]
[reserve]
accounts = ["cold"]
"""
    + WATCHED_BTC
)


@pytest.fixture
def settings(tmp_path: Path) -> DeskSettings:
    path = tmp_path / "desk.toml"
    path.write_text(CONFIG + f'\n[register]\npath = "{tmp_path / "register.sqlite"}"\n')
    path.chmod(0o600)
    return load_settings(path, env={})


@pytest.fixture
async def register(settings: DeskSettings) -> AsyncIterator[Register]:
    async with Register.open(settings.register.path, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        await reg.post(
            NewEntry(
                kind="opening",
                ts=T0,
                postings=(Posting("equity:opening", -Amount(BTC, 2)), Posting("assets:wallet:ops", Amount(BTC, 2))),
            )
        )
        yield reg


async def approved(register: Register, settings: DeskSettings, amount: str = "0.5") -> int:
    entry = on_chain_entry(settings, "assets:wallet:ops", "assets:reserve:cold", Amount(BTC, amount), T0, "to cold")
    draft_id = await draft_transfer(register, entry)
    async with Register.open(settings.register.path, operator="bek") as checker:
        await checker.approve(draft_id)
    return draft_id


async def balances(register: Register) -> dict[str, Amount]:
    return {account: amount for (account, _), amount in (await register.balances()).items()}


async def test_approval_leaves_the_coins_in_transit_and_settlement_moves_them(
    register: Register, settings: DeskSettings
) -> None:
    draft_id = await approved(register, settings)
    assert await balances(register) == {
        "assets:transit:bitcoin": Amount(BTC, "0.5"),
        "assets:wallet:ops": Amount(BTC, "1.5"),
        "equity:opening": -Amount(BTC, 2),
    }
    (transfer,) = await register.transfers()
    assert (transfer.state, transfer.destination, transfer.amount) == (
        "approved",
        "assets:reserve:cold",
        Amount(BTC, "0.5"),
    )
    await register.record_transfer(draft_id, Change("broadcast", txid="ab" * 32, fee_units=1200))
    assert await register.record_transfer(draft_id, Change("broadcast", txid="ab" * 32, fee_units=1200)) is None
    await register.record_transfer(draft_id, Change("confirming", confirmations=1))
    assert (await register.verify()).ok
    done = await register.record_transfer(draft_id, Change("settled", confirmations=3))
    assert done is not None and done.state == "settled" and len(done.closing_seqs) == 1
    assert await balances(register) == {
        "assets:reserve:cold": Amount(BTC, "0.5"),
        "assets:wallet:ops": Amount(BTC, "1.4999880"),
        "equity:opening": -Amount(BTC, 2),
        "expenses:fees": Amount(BTC, "0.000012"),
    }
    assert (await register.verify()).ok
    with pytest.raises(EntryRejected, match="its life has ended"):
        await register.record_transfer(draft_id, Change("expired"))


async def test_expiry_returns_the_coins_to_the_source(register: Register, settings: DeskSettings) -> None:
    draft_id = await approved(register, settings)
    await register.record_transfer(draft_id, Change("broadcast", txid="cd" * 32))
    done = await register.record_transfer(draft_id, Change("expired", note="never mined"))
    assert done is not None and done.state == "expired"
    assert (await balances(register))["assets:wallet:ops"] == Amount(BTC, 2)
    assert (await register.balance("assets:transit:bitcoin", "BTC")).units == 0
    assert (await register.verify()).ok


async def test_a_mined_transfer_does_not_expire(register: Register, settings: DeskSettings) -> None:
    draft_id = await approved(register, settings)
    await register.record_transfer(draft_id, Change("confirming", txid="ef" * 32, confirmations=1))
    with pytest.raises(EntryRejected, match="confirming; it may become"):
        await register.record_transfer(draft_id, Change("expired"))


async def test_verify_names_an_edited_state_row_and_a_lifecycle_entry_nobody_posted(
    register: Register, settings: DeskSettings
) -> None:
    import sqlite3

    draft_id = await approved(register, settings)
    await register.record_transfer(draft_id, Change("broadcast", txid="ab" * 32))
    conn = sqlite3.connect(settings.register.path)
    conn.execute("DROP TRIGGER transfer_states_no_update")
    conn.execute("UPDATE transfer_states SET txid = 'ff'")
    conn.commit()
    conn.close()
    result = await register.verify()
    assert not result.ok and "differs from its chained action" in result.problems[0]


async def test_a_settlement_cannot_be_posted_by_hand(register: Register) -> None:
    from desk.register import RuleRefused

    await register.open_transit("bitcoin")
    entry = NewEntry(
        kind="settlement",
        ts=T0,
        postings=(Posting("assets:transit:bitcoin", -Amount(BTC, 1)), Posting("assets:reserve:cold", Amount(BTC, 1))),
    )
    with pytest.raises(RuleRefused, match="refused by rule lifecycle"):
        await register.post(entry)


async def test_a_connection_opened_before_the_transfer_sees_it_in_flight(
    register: Register, settings: DeskSettings
) -> None:
    """The sync's connection is opened before the screen drafts and approves (make demo):
    the transit account comes with the config, so it lists the transfer without reopening."""
    assert "assets:transit:bitcoin" in register.accounts()
    async with Register.open(settings.register.path, operator="sync") as sync:
        draft_id = await approved(register, settings)
        (flying,) = await sync.transfers({"approved", "broadcast", "confirming", "replaced"})
        assert flying.draft_id == draft_id

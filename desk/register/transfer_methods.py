"""The register's methods for on-chain transfers (storage and rules in transfers.py), kept
apart from the facade in register.py so that each file holds one idea and stays small."""

from __future__ import annotations

from collections.abc import Iterable

from desk.register import transfers as transfer_life


class TransferMethods:
    """Mixed into `Register`: a transfer's life as the chain watch and the faces ask for it."""

    async def open_transit(self, chain: str) -> str:
        """Open `assets:transit:<chain>`, where an approved on-chain transfer waits; return it."""
        return await transfer_life.open_transit(self, chain)

    async def transfers(self, states: Iterable[str] | None = None) -> list[transfer_life.Transfer]:
        """Every approved on-chain transfer (in `states`, if given), oldest approval first."""
        return await transfer_life.listing(self, states)

    async def transfer(self, draft_id: int) -> transfer_life.Transfer:
        """The approved on-chain transfer of draft `draft_id` (NotFound if there is none)."""
        return await transfer_life.by_draft(self, draft_id)

    async def record_transfer(self, draft_id: int, change: transfer_life.Change) -> transfer_life.Transfer | None:
        """Record a change of a transfer's state (a chained action; settling or ending it
        posts its entries); None when that change was already recorded."""
        return await transfer_life.record(self, draft_id, change)

    async def record_watch_start(self, chain: str, address: str, height: int | None) -> int:
        """Mark the height the chain watch began reading `address` at (a chained action)."""
        return await transfer_life.record_watch_start(self, chain, address, height)

    async def watch_starts(self) -> dict[tuple[str, str], int | None]:
        """(chain, address) -> the height the chain watch began reading it at."""
        return await transfer_life.watch_starts(self)

    async def known_txids(self, txids: Iterable[str]) -> set[str]:
        """The txids among `txids` an entry or a transfer already records."""
        return await transfer_life.known_txids(self, txids)

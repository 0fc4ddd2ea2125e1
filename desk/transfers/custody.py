"""Handing approved transfers to the custodian (`[custody] url`), which signs and broadcasts
them: each poll of the watch submits every transfer in flight — idempotent by its draft id,
so a resubmission after a crash answers the transfer already made — and records the txid the
custodian broadcast it as. The chain stays the judge of everything after that (watch.py):
what the custodian says is only which tx to look for."""

from __future__ import annotations

from dataclasses import dataclass, field

from desk.config import DeskSettings
from desk.feeds.custody import CustodianClient, CustodyTransfer
from desk.feeds.errors import FeedError
from desk.register import EntryRejected, Register
from desk.register.transfers import APPROVED, BROADCAST, Change, Transfer


@dataclass(slots=True)
class Handed:
    """What the custodian said this poll: draft id -> its view, and what failed."""

    views: dict[int, CustodyTransfer] = field(default_factory=dict)
    changes: list[tuple[Transfer, Change]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    def txids(self, chain: str) -> set[str]:
        """The txids the custodian named on `chain` (for the watch to look them up)."""
        return {v.txid for v in self.views.values() if v.txid and v.chain == chain}


def _address(settings: DeskSettings, account: str, chain: str) -> str | None:
    return next((a.address for a in settings.addresses if a.account == account and a.chain == chain), None)


async def hand_over(
    settings: DeskSettings, register: Register, custodian: CustodianClient, flying: list[Transfer]
) -> Handed:
    """Submit each transfer in flight (again: the custodian answers the one it has); record
    the broadcast of those still only approved once the custodian names their txid."""
    handed = Handed()
    for transfer in flying:
        source = _address(settings, transfer.source, transfer.chain)
        destination = _address(settings, transfer.destination, transfer.chain)
        if source is None or destination is None:
            continue
        try:
            view = await custodian.submit(str(transfer.draft_id), transfer.chain, source, destination, transfer.amount)
        except FeedError as exc:
            handed.errors[f"custody #{transfer.draft_id}"] = exc.reason
            continue
        handed.views[transfer.draft_id] = view
        if transfer.state == APPROVED and view.txid:
            fee = view.fee.units if view.fee is not None else None
            change = Change(BROADCAST, txid=view.txid, fee_units=fee, note=f"broadcast by the custodian ({view.id})")
            try:
                if await register.record_transfer(transfer.draft_id, change) is not None:
                    handed.changes.append((transfer, change))
            except EntryRejected as exc:
                handed.errors[f"custody #{transfer.draft_id}"] = str(exc)
    return handed

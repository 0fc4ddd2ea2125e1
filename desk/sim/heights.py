"""The simulated chains' clocks: the height (slot) each chain reaches at a moment, from fixed
anchors, so heights and times agree on every machine. The tip a chain reports adds the
blocks mined on demand (`ChainSim.mine`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Bitcoin: height 925,001 at the sample's block time, then a block every 600 s.
ANCHOR_HEIGHT = 925_001
ANCHOR_TIME = datetime.fromtimestamp(1_795_400_000, UTC)
BLOCK_SECONDS = 600
#: BSC: block 45,000,000 at this time, then a block every 3 s.
BSC_ANCHOR_BLOCK = 45_000_000
BSC_ANCHOR_TIME = datetime(2026, 11, 1, tzinfo=UTC)
BSC_BLOCK_SECONDS = 3
#: Solana: slot 380,000,000 at this time, then a slot every 400 ms.
SOLANA_ANCHOR_SLOT = 380_000_000
SOLANA_ANCHOR_TIME = datetime(2026, 11, 1, tzinfo=UTC)


def height_at(moment: datetime) -> int:
    """The height of the last bitcoin block mined at or before `moment`."""
    return ANCHOR_HEIGHT + int((moment - ANCHOR_TIME).total_seconds()) // BLOCK_SECONDS


def block_time(height: int) -> datetime:
    return ANCHOR_TIME + timedelta(seconds=(height - ANCHOR_HEIGHT) * BLOCK_SECONDS)


def bsc_block_at(moment: datetime) -> int:
    return BSC_ANCHOR_BLOCK + int((moment - BSC_ANCHOR_TIME).total_seconds()) // BSC_BLOCK_SECONDS


def bsc_block_time(number: int) -> datetime:
    return BSC_ANCHOR_TIME + timedelta(seconds=(number - BSC_ANCHOR_BLOCK) * BSC_BLOCK_SECONDS)


def solana_slot_at(moment: datetime) -> int:
    return SOLANA_ANCHOR_SLOT + int((moment - SOLANA_ANCHOR_TIME).total_seconds()) * 5 // 2


def solana_slot_time(slot: int) -> datetime:
    return SOLANA_ANCHOR_TIME + timedelta(milliseconds=(slot - SOLANA_ANCHOR_SLOT) * 400)


def clock_height(chain: str, moment: datetime) -> int:
    """The height `chain`'s clock has reached at `moment`."""
    if chain == "bitcoin":
        return height_at(moment)
    if chain == "bsc":
        return bsc_block_at(moment)
    if chain == "solana":
        return solana_slot_at(moment)
    raise ValueError(f"unknown chain {chain!r}; one of bitcoin, bsc, solana")


def time_of(chain: str, height: int) -> datetime:
    """When `chain`'s clock reaches `height` (a block mined on demand is dated later than
    its clock says; the simulator accepts that)."""
    if chain == "bitcoin":
        return block_time(height)
    if chain == "bsc":
        return bsc_block_time(height)
    return solana_slot_time(height)

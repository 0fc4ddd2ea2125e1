"""Bitcoin's block subsidy by height: 50 BTC, halved every 210,000 blocks, in whole satoshis.

A consensus rule of the chain, so it sits with the chain clients: the Esplora client needs it
(a block's fees are its coinbase outputs minus the subsidy of its height), and hashprice
(desk.mining) reads it from here.
"""

from __future__ import annotations

HALVING_INTERVAL = 210_000
INITIAL_SUBSIDY_SATS = 50 * 100_000_000


def subsidy_sats(height: int) -> int:
    """The subsidy of the block at `height`, as consensus computes it (a right shift, so
    satoshis below one are dropped, and after 64 halvings it is zero)."""
    if height < 0:
        raise ValueError(f"block height {height} is negative")
    halvings = height // HALVING_INTERVAL
    return 0 if halvings >= 64 else INITIAL_SUBSIDY_SATS >> halvings

"""A separate writer process for the crash and concurrency tests.

python -m tests.register.writer URL batch N      # one batch of N payouts, one transaction
python -m tests.register.writer URL each N TAG   # N entries, one transaction each

URL is `sqlite:///path` or `postgresql://...` (the password in PGPASSWORD).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from desk.money import BTC, Amount
from desk.register import NewEntry, Posting, Register
from tests.register.conftest import T0


def entry(i: int, tag: str) -> NewEntry:
    amount = Amount.from_units(BTC, 1000 + i)
    return NewEntry(
        kind="payout",
        ts=T0 + timedelta(seconds=i),
        source=f"pool:{tag}",
        external_id=f"{tag}-{i}",
        postings=(Posting("assets:pool:f2main", -amount), Posting("assets:wallet:ops", amount)),
        reference=f"{i:064x}",
        status="confirmed",
        memo=f"{tag} payout {i}",
    )


async def main(path: str, mode: str, n: int, tag: str) -> None:
    async with Register.open(path, operator=f"writer-{tag}") as reg:
        if mode == "batch":
            batch = [entry(i, tag) for i in range(n)]
            print("ingesting", flush=True)
            await reg.ingest(batch)
            print("done", flush=True)
        else:
            print("posting", flush=True)
            for i in range(n):
                await reg.ingest([entry(i, tag)])
            print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "w"))

"""A separate process holding the register's sync claim, as a running `desk sync` does.

python -m tests.register.sync_holder URL    # claims, prints "held", holds until stdin ends

URL is `sqlite:///path` or `postgresql://...` (the password in PGPASSWORD).
"""

from __future__ import annotations

import asyncio
import sys

from desk.register import claim_sync


async def main(url: str) -> None:
    claim = await claim_sync(url)
    print("held", flush=True)
    await asyncio.to_thread(sys.stdin.read)  # until the test closes our stdin
    await claim.release()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))

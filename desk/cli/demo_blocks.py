"""The demo's block clock: the simulated Bitcoin mines a block every 600 s of real time, so a
transfer's three confirmations would take half an hour in `desk demo`. While the demo runs,
a daemon thread asks the simulator (its `POST /__sim/chain` control, over a socket like any
other client) for one more Bitcoin block every `DEMO_BLOCK_S` seconds, so a newcomer watches a
transfer go in flight → confirmed in well under a minute. BSC (3 s) and Solana (400 ms) are
fast enough by their own clocks. A thread, not the screen's loop: the request is blocking."""

from __future__ import annotations

import json
import threading
import urllib.request

#: seconds between two demo Bitcoin blocks
DEMO_BLOCK_S = 8


class BlockClock:
    """`with BlockClock(esplora_url):` mines a demo block every `every` seconds until left."""

    def __init__(self, esplora_url: str, every: float = DEMO_BLOCK_S) -> None:  # float-ok: seconds
        self.url = esplora_url.rstrip("/") + "/__sim/chain"
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-blocks", daemon=True)

    def __enter__(self) -> BlockClock:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)

    def _run(self) -> None:
        body = json.dumps({"op": "mine", "chain": "bitcoin", "blocks": 1}).encode()
        while not self._stop.wait(self.every):
            request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    answer.read()
            except OSError:
                continue  # the simulator is stopping with the demo

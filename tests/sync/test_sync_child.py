"""Stopping the sync child (desk/operations/sync_process.py SyncChild.stop): a child busy
finishing its write is waited for however long it takes; only a stuck one is killed.

The children here are small Python programs standing for `desk sync`: they say they are
ready (their SIGTERM handler in place), then do what the test is about on SIGTERM."""

from __future__ import annotations

import sys

from desk.operations.sync_process import SyncChild, SyncCommand
from tests.waiting import until

#: On SIGTERM, spend this much CPU (a write that outlasts the grace many times), then exit 0.
BUSY = """
import json, signal, sys, time
def finish(*_):
    start = time.process_time()
    while time.process_time() - start < {cpu}:
        pass
    sys.exit(0)
signal.signal(signal.SIGTERM, finish)
print(json.dumps({{"event": "ready"}}), flush=True)
while True:
    time.sleep(1)
"""

#: Ignore SIGTERM and sleep: no CPU, no word.
STUCK = """
import json, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print(json.dumps({"event": "ready"}), flush=True)
while True:
    time.sleep(1)
"""


async def started(script: str) -> tuple[SyncChild, list[dict]]:
    events: list[dict] = []
    child = SyncChild(SyncCommand((sys.executable, "-c", script)), events.append, lambda code, error: None)
    await child.start()
    await until(lambda: {"event": "ready"} in events, "the child to install its SIGTERM handler")
    return child, events


async def test_a_child_busy_with_its_write_after_sigterm_is_waited_for_not_killed() -> None:
    child, _ = await started(BUSY.format(cpu=1.5))
    # a grace a fifth of the work: the old stop killed the child once it ran out
    assert await child.stop(grace=0.3) == 0


async def test_a_child_that_is_stuck_after_sigterm_is_killed_after_the_grace() -> None:
    child, _ = await started(STUCK)
    assert await child.stop(grace=0.3) == -9

"""The sync engine: feeds into the register, on a schedule, with nothing lost or doubled.
No Textual here: `desk sync` runs it headless and the screen runs the same engine."""

from desk.sync.engine import SyncEngine

__all__ = ["SyncEngine"]

"""How far `desk verify` and `desk migrate` have come, on a terminal: one line on stderr, rewritten in place."""

from __future__ import annotations

import threading
import time
from typing import TextIO

from desk.register import VerifyResult

#: Seconds between redraws of the progress line.
REDRAW_S = 0.25  # float-ok: seconds


class VerifyMeter:
    """Shows each phase's progress while verify runs (called from its worker thread), and
    the rate at the end."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()
        self._drawn = 0.0  # float-ok: a perf_counter reading
        self._lock = threading.Lock()
        self._shown = False

    def progress(self, phase: str, done: int, total: int) -> None:
        now = time.perf_counter()
        with self._lock:
            if now - self._drawn < REDRAW_S and done < total:
                return
            self._drawn = now
            elapsed = max(now - self.started, 1e-9)  # float-ok: seconds
            share = f" / {total:,}" if total else ""
            self.out.write(f"\rverifying {phase}: {done:,}{share} ({done / elapsed:,.0f}/s)\x1b[K")
            self.out.flush()
            self._shown = True

    def done(self, result: VerifyResult) -> None:
        """Clear the progress line and say how fast it went (entries per second)."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)  # float-ok: seconds
        if self._shown:
            self.out.write("\r\x1b[K")
        self.out.write(
            f"verified {result.entries:,} entries, {result.actions:,} actions and {result.quotes:,} quotes "
            f"in {elapsed:.1f} s ({result.entries / elapsed:,.0f} entries/s)\n"
        )
        self.out.flush()


class CopyMeter:
    """How far `desk migrate` has come, table by table (one line on stderr, rewritten in
    place at most every REDRAW_S), and how fast it went at the end."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()
        self._drawn = 0.0  # float-ok: a perf_counter reading
        self._shown = False

    def progress(self, table: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if now - self._drawn < REDRAW_S and done < total:
            return
        self._drawn = now
        share = f" / {total:,}" if total else ""
        self.out.write(f"\rcopying {table}: {done:,}{share} rows\x1b[K")
        self.out.flush()
        self._shown = True

    def done(self, rows: int) -> None:
        """Clear the progress line and say how many rows went over, how fast."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)  # float-ok: seconds
        if self._shown:
            self.out.write("\r\x1b[K")
        self.out.write(f"copied {rows:,} rows in {elapsed:.1f} s ({rows / elapsed:,.0f} rows/s)\n")
        self.out.flush()

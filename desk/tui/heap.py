"""The app's heap kept out of the garbage collector's way while a screen is up (why: below)."""

from __future__ import annotations

import gc

#: Seconds between the app's own full collections (`collect_garbage`), which stand in for the
#: collector's automatic ones while a screen is up.
FULL_COLLECTION_EVERY_S = 30.0  # float-ok: a duration
#: gen1 collections before an automatic full one: never, in practice, while the app runs.
PUT_OFF = 1_000_000

_thresholds: tuple[int, int, int] | None = None


def freeze_startup_heap() -> None:
    """Put everything alive once the first screen is up (modules, classes, Textual's widgets
    and styles: tens of thousands of objects) out of the cyclic garbage collector's sight.
    Otherwise each full collection walks all of it, and with a live screen allocating as the
    sync writes, those collections stalled frames for 55-165 ms (bench/tui.py); frozen, the
    longest gap was 40 ms. Objects made later are collected as usual, but for the full
    collections: Python starts one in the middle of whatever allocates, a frame's layout as
    often as not (20 ms of a 53 ms frame gap, what the dashboard's rows and Textual's strip
    caches had made since), so they are put off and the app runs them itself between frames
    (`collect_garbage`). `thaw_heap` when the app ends hands everything back (a test process
    opens many apps)."""
    global _thresholds
    gc.freeze()
    if _thresholds is None:
        _thresholds = gc.get_threshold()
        gc.set_threshold(_thresholds[0], _thresholds[1], PUT_OFF)


def collect_garbage() -> None:
    """A full collection of what was made since the screen came up (the app calls it every
    FULL_COLLECTION_EVERY_S, just after a frame was drawn)."""
    gc.collect()


def thaw_heap() -> None:
    """Undo `freeze_startup_heap`: what the ended app left becomes collectable again, and the
    collector runs its full collections itself again."""
    global _thresholds
    gc.unfreeze()
    if _thresholds is not None:
        gc.set_threshold(*_thresholds)
        _thresholds = None

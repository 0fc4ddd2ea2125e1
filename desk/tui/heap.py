"""The app's heap kept out of the garbage collector's way while a screen is up (why: below)."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Put everything alive once the first screen is up (modules, classes, Textual's widgets
    and styles: tens of thousands of objects) out of the cyclic garbage collector's sight.
    Otherwise each full collection walks all of it, and with a live screen allocating as the
    sync writes, those collections stalled frames for 55-165 ms (bench/tui.py); frozen, the
    longest gap was 40 ms. Objects made later are collected as usual; `thaw_heap` when the
    app ends hands the frozen ones back (a test process opens many apps)."""
    gc.freeze()


def thaw_heap() -> None:
    """Undo `freeze_startup_heap`: what the ended app left becomes collectable again."""
    gc.unfreeze()

"""The collector's full collections are the app's to run between frames while a screen is
up (desk/tui/heap.py): Python started them in the middle of whatever allocated, a frame's
layout as often as not."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from desk.tui.heap import collect_garbage, freeze_startup_heap, thaw_heap


@pytest.fixture
def full_collections() -> Iterator[list[int]]:
    """Each full collection the collector starts, as it starts."""
    seen: list[int] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            seen.append(2)

    gc.callbacks.append(watch)
    yield seen
    gc.callbacks.remove(watch)


def allocate(survivors: list[object]) -> None:
    """What a live screen does: many containers, some kept (they reach the oldest generation)."""
    for i in range(300_000):
        item = [i]
        if i % 3 == 0:
            survivors.append(item)


def test_no_full_collection_starts_by_itself_while_a_screen_is_up(full_collections: list[int]) -> None:
    kept: list[object] = []
    freeze_startup_heap()
    try:
        allocate(kept)
        assert full_collections == []
        collect_garbage()
        assert full_collections == [2]
    finally:
        thaw_heap()
    full_collections.clear()
    allocate(kept)  # the app ended: the collector runs its own again
    assert full_collections

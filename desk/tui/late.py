"""Results that arrive after the widgets they were read for are gone.

A screen's worker reads the register, then shows what it read. When the app closes, Textual
removes a screen's widgets before it cancels the screen's workers (the screen's Unmount comes
after its children's), so a read that finishes in between finds no table to fill: a query for
it raised NoMatches and the app ended with an error instead of quietly. Such a late result
is dropped. `present` is asked after a worker's last await and before its first update: with
no await in between, nothing can be removed between the check and the updates.
"""

from __future__ import annotations

from textual.dom import DOMNode


def present(node: DOMNode, *selectors: str) -> bool:
    """Whether every widget `selectors` name is still under `node` (each selector matches)."""
    return all(node.query(selector) for selector in selectors)

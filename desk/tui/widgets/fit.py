"""Updating a panel's text with a layout pass only when its height changes.

Textual's `Static.update` lays out the whole screen by default, since new text may need more
rows or fewer; on the dashboard during a busy sync that pass (tens of milliseconds) is what
made the longest frames. The rows the text takes at the widget's width are what Textual's
layout would ask of it (`Visual.get_height`, wrapping included), so they are compared before
and after: the same height is a repaint, a different one is laid out. A widget not laid out
yet is laid out, as before."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


def update_text(widget: Static, new: VisualType) -> None:
    """Show `new` (plain text, markup or rich Text) in `widget`, with a layout pass only if it
    takes more rows or fewer than what it replaces."""
    width = widget.content_region.width
    if width <= 0:
        widget.update(new)
        return
    before = widget.visual.get_height(widget.styles, width)
    widget.update(new, layout=False)
    if widget.visual.get_height(widget.styles, width) != before:
        widget.refresh(layout=True)

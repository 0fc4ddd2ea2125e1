"""Updating a panel's text with a layout pass only when its height changes.

Textual's `Static.update` lays out the whole screen by default, since new text may need more
rows or fewer; on the dashboard during a busy sync that pass (tens of milliseconds) is what
made the longest frames. The rows the text takes at the widget's width are what Textual's
layout would ask of it (`Visual.get_height`, wrapping included), so they are compared before
and after: the same height is a repaint, a different one is laid out. A widget not laid out
yet is laid out, as before.

Text that has not changed is not set again at all: a live panel is redrawn every second,
and most of its lines (and its border's titles) read as they did; each one set again was a
widget the next frame painted anew for nothing."""

from __future__ import annotations

from textual.visual import VisualType
from textual.widget import Widget
from textual.widgets import Static


def update_text(widget: Static, new: VisualType) -> None:
    """Show `new` (plain text, markup or rich Text) in `widget`, with a layout pass only if it
    takes more rows or fewer than what it replaces; nothing at all when it is what is shown."""
    if widget.content == new:
        return
    width = widget.content_region.width
    if width <= 0:
        widget.update(new)
        return
    before = widget.visual.get_height(widget.styles, width)
    widget.update(new, layout=False)
    if widget.visual.get_height(widget.styles, width) != before:
        widget.refresh(layout=True)


def retitle(widget: Widget, *, title: str | None = None, subtitle: str | None = None) -> None:
    """Set the border's title and subtitle (plain text; None leaves one as it is), repainting
    the widget only when one changed: Textual repaints on every assignment, the same text too."""
    if title is not None and widget.border_title != title:
        widget.border_title = title
    if subtitle is not None and widget.border_subtitle != subtitle:
        widget.border_subtitle = subtitle

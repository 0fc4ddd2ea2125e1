"""A Line-API view over the register: renders only visible rows from a cache of keyset pages.

Rows are fetched page by page (`Register.page(before=key)`) as the viewport reaches them, so
opening a million-entry book costs one page read plus `count()`.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from desk.register import Entry, PageFilter, Register
from desk.register.entries import format_ts
from desk.tui.format import header_text, row_text

PAGE = 200


class RegisterView(ScrollView, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Down", show=False, id="register.down"),
        Binding("k,up", "cursor(-1)", "Up", show=False, id="register.up"),
        Binding("pagedown", "cursor(20)", "PgDn", show=False, id="register.pagedown"),
        Binding("pageup", "cursor(-20)", "PgUp", show=False, id="register.pageup"),
        Binding("enter", "open", "Detail", id="register.open"),
    ]

    cursor = reactive(0)

    class Opened(Message):
        def __init__(self, seq: int) -> None:
            super().__init__()
            self.seq = seq

    class Counted(Message):
        def __init__(self, shown: int, total: int) -> None:
            super().__init__()
            self.shown = shown
            self.total = total

    def __init__(self, register: Register, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.register = register
        self.filters = PageFilter()
        self.rows: list[Entry] = []
        self.total = 0
        self.exhausted = False
        self._loading = False

    def on_mount(self) -> None:
        self.reload()

    def set_filter(self, filters: PageFilter) -> None:
        self.filters = filters
        self.reload()

    @work(exclusive=True, group="register-load")
    async def reload(self) -> None:
        total = await self.register.count()
        first = await self.register.page(self.filters, limit=PAGE)
        self.rows = list(first)
        self.exhausted = len(first) < PAGE
        self.total = total if self.filters.empty else len(self.rows)
        self.cursor = 0
        self._resize()
        self.post_message(self.Counted(len(self.rows), total))

    def _resize(self) -> None:
        rows = self.total if self.filters.empty else len(self.rows) + (0 if self.exhausted else 1)
        self.virtual_size = Size(len(header_text()), rows + 1)
        self.refresh()

    @work(exclusive=True, group="register-more")
    async def _more(self) -> None:
        if self._loading or self.exhausted or not self.rows:
            return
        self._loading = True
        try:
            last = self.rows[-1]
            page = await self.register.page(self.filters, before=(format_ts(last.ts), last.seq), limit=PAGE)
            self.rows.extend(page)
            self.exhausted = len(page) < PAGE
            if not self.filters.empty:
                self.total = len(self.rows)
            self._resize()
        finally:
            self._loading = False

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return Strip([Segment(header_text()[:width].ljust(width), Style(bold=True))])
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y - 1
        if index >= len(self.rows):
            if index < self.total and not self.exhausted:
                self._more()
                return Strip([Segment("…".ljust(width))])
            return Strip.blank(width)
        text = row_text(self.rows[index])[scroll_x:]
        style = Style(reverse=True) if index == self.cursor and self.has_focus else Style()
        return Strip([Segment(text[:width].ljust(width), style)])

    def watch_cursor(self, _old: int, new: int) -> None:
        height = max(1, self.size.height - 1)
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        if new >= len(self.rows) - 1 and not self.exhausted:
            self._more()
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        limit = max(0, len(self.rows) - 1)
        self.cursor = max(0, min(limit, self.cursor + delta))

    def action_open(self) -> None:
        if self.rows:
            self.post_message(self.Opened(self.rows[self.cursor].seq))

"""A Line-API view over the register: renders only visible rows from a bounded cache of
keyset pages.

Rows are fetched page by page (`Register.page(before=key)`, or after it when the book is read
oldest first) as the viewport reaches them, so
opening a million-entry book costs one page read plus `count()`. At most `KEPT_PAGES` pages
are held: scrolling through the whole book keeps the pages around the viewport, and a page
let go is read again (from the key it starts after, remembered: one per page) when the
viewport comes back to it. Reads run in workers that post the page to the view; a page read
for an older filter is dropped.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
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
#: pages held at most (the viewport's and its neighbours'); the rest are read again when needed
KEPT_PAGES = 8
#: the keyset key a page starts after: (timestamp text, seq) of the previous page's last row
Key = tuple[str, int]
#: the book's size and its first page, newest first
FirstPage = tuple[int, list[Entry]]


async def first_page(register: Register) -> FirstPage:
    """What a view of the whole book shows first: read before the view is built."""
    return await register.count(), await register.page(limit=PAGE)


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

    class PageRead(Message):
        """Page `number` of the view's `generation` (its filter) was read."""

        def __init__(self, generation: int, number: int, rows: list[Entry], total: int | None) -> None:
            super().__init__()
            self.generation, self.number, self.rows, self.total = generation, number, rows, total

    def __init__(self, register: Register, *, first: FirstPage | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.register = register
        #: the book's first page, read before the view was built (`first_page`): shown as it
        #: mounts, so the screen's first frame has rows and no read runs beside its building
        self._first = first
        self.filters = PageFilter()
        #: the pages held, by number (page n holds rows n*PAGE .. n*PAGE+PAGE-1)
        self.pages: dict[int, list[Entry]] = {}
        #: starts[n]: the key page n+1 is read before (page n's last row); known for pages read once
        self.starts: list[Key] = []
        #: rows known to exist: every row of the pages read so far, in order
        self.reached = 0
        self.total = 0
        self.exhausted = False
        #: the book from its first entry (o on the register screen), not from its newest
        self.oldest_first = False
        #: bumped by each reload: a page read for an older filter or order is dropped when it arrives
        self.generation = 0
        self._reading: set[int] = set()

    @property
    def rows(self) -> list[Entry]:
        """The rows held, in order (at most KEPT_PAGES pages: not the whole book)."""
        return [entry for number in sorted(self.pages) for entry in self.pages[number]]

    def row(self, index: int) -> Entry | None:
        """Row `index` when its page is held (else None, and its page is asked for)."""
        page = self.pages.get(index // PAGE)
        if page is None:
            self._want(index // PAGE)
            return None
        return page[index % PAGE] if index % PAGE < len(page) else None

    def on_mount(self) -> None:
        if self._first is None:
            self.reload()
            return
        total, rows = self._first
        self._first = None
        self.generation += 1
        self._take(0, rows, total)

    def set_filter(self, filters: PageFilter) -> None:
        self.filters = filters
        self.reload()

    def set_order(self, *, oldest_first: bool) -> None:
        """Newest first (the default: today's activity on top) or oldest first (the book as
        an auditor reads it), from its first row again."""
        self.oldest_first = oldest_first
        self.reload()

    def reload(self) -> None:
        """Start again from the newest row under the current filter."""
        self.generation += 1
        self.pages, self.starts, self.reached, self.exhausted = {}, [], 0, False
        self._reading = {0}
        self.run_worker(self._read(self.generation, 0, counted=True), group="register-load", exclusive=True)

    def _want(self, number: int) -> None:
        """Read page `number`, or, when the key it starts after is not known yet, the first
        page not read yet (the way there is read page by page)."""
        number = min(number, len(self.starts))
        if number in self._reading or number in self.pages or (self.exhausted and number * PAGE >= self.reached):
            return
        self._reading.add(number)
        self.run_worker(self._read(self.generation, number, counted=False), group=f"register-page-{number}")

    async def _read(self, generation: int, number: int, *, counted: bool) -> None:
        key = self.starts[number - 1] if number else None
        total = await self.register.count() if counted else None
        if self.oldest_first:
            rows = await self.register.page(self.filters, after=key, limit=PAGE, oldest_first=True)
        else:
            rows = await self.register.page(self.filters, before=key, limit=PAGE)
        self.post_message(self.PageRead(generation, number, rows, total))

    def on_register_view_page_read(self, message: RegisterView.PageRead) -> None:
        message.stop()
        if message.generation != self.generation:
            return  # read for a filter no longer shown
        self._reading.discard(message.number)
        self._take(message.number, message.rows, message.total)

    def _take(self, number: int, rows: list[Entry], total: int | None) -> None:
        """Hold page `number`; `total` comes with the first page of a reload."""
        if number * PAGE == self.reached and not self.exhausted:  # read for the first time
            self.reached += len(rows)
            if len(rows) < PAGE:
                self.exhausted = True
            else:
                self.starts.append((format_ts(rows[-1].ts), rows[-1].seq))
        self.pages[number] = rows
        self._let_go()
        if total is not None:  # the first page of a reload
            self.cursor = 0
            self.total = total
        if not self.filters.empty:
            self.total = self.reached
        self._resize()
        if total is not None:
            self.post_message(self.Counted(self.reached, total))

    def _let_go(self) -> None:
        """Keep at most KEPT_PAGES pages: those farthest from the viewport go first. The first
        page stays (newest first, read again, it would hold the entries written since, shifting
        every row)."""
        top = max(0, int(self.scroll_y))
        first, last = top // PAGE, (top + max(1, self.size.height)) // PAGE  # the pages on screen

        def distance(number: int) -> int:
            return first - number if number < first else max(0, number - last)

        while len(self.pages) > KEPT_PAGES:
            del self.pages[max((n for n in self.pages if n), key=distance)]

    def _resize(self) -> None:
        rows = self.total if self.filters.empty else self.reached + (0 if self.exhausted else 1)
        self.virtual_size = Size(len(header_text()), rows + 1)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y == 0:
            return Strip([Segment(clip(header_text(), width), Style(bold=True))])
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y - 1
        if index >= self.reached and (self.exhausted or index >= self.total):
            return Strip.blank(width)
        entry = self.row(index)
        if entry is None:
            return Strip([Segment("…".ljust(width))])
        text = row_text(entry)[scroll_x:]
        style = Style(reverse=True) if index == self.cursor and self.has_focus else Style()
        return Strip([Segment(clip(text, width), style)])

    def watch_cursor(self, _old: int, new: int) -> None:
        height = max(1, self.size.height - 1)
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False)
        elif new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False)
        if new >= self.reached - 1 and not self.exhausted:
            self._want(len(self.starts))
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        limit = max(0, self.reached - 1)
        self.cursor = max(0, min(limit, self.cursor + delta))

    def action_open(self) -> None:
        entry = self.row(self.cursor) if self.reached else None
        if entry is not None:
            self.post_message(self.Opened(entry.seq))


def clip(text: str, width: int) -> str:
    """`text` in exactly `width` columns: padded, or cut with "…" as its last column, so a row
    cut at the edge (a long memo at 80 columns) says so instead of looking complete."""
    if len(text.rstrip()) <= width:  # only trailing padding would be lost
        return text[:width].ljust(width)
    return text[: max(0, width - 1)] + "…" if width else ""

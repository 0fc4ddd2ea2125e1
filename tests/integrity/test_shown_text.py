"""Text from the register is shown as typed: never read as markup by the screen, and a
character that is not printable text (kept before the rule refused it) never reaches a
terminal raw."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from textual.widgets import DataTable, Static

from desk.register import Register
from desk.register.text import shown
from desk.tui.app import create_app
from desk.tui.screens.approvals import ApprovalsScreen
from desk.tui.screens.detail import EntryDetail
from tests.integrity.conftest import Book, earning, transfer

MARKUP = "[/b] pay [link=https://example.invalid]here[/link] [red]now"


def test_text_kept_before_the_rule_is_escaped_not_printed_raw() -> None:
    assert shown("ok\x1b[2J\x07") == "ok\\x1b[2J\\x07"
    assert shown("abc\u202edcba") == "abc\\u202edcba"
    assert shown("café 1 000 ₸") == "café 1 000 ₸"


async def test_a_memo_that_looks_like_markup_is_shown_as_typed(book: Book) -> None:
    async with Register.open(book.path, operator="aliya") as reg:
        await reg.ingest([replace(earning(40), memo=MARKUP)])
        (seq,) = [e.seq for e in await reg.recent(5) if e.memo == MARKUP]
        await reg.draft(replace(transfer("0.01", 30), memo=MARKUP))
    app = create_app(book.settings, book.path, now=lambda: datetime(2026, 11, 6, tzinfo=UTC))
    async with app.run_test(size=(160, 50)) as pilot:
        await app.push_screen(EntryDetail(seq))
        await pilot.pause()
        await app.workers.wait_for_complete()
        body = str(app.screen.query_one("#detail-body", Static).render())
        assert f"memo: {MARKUP}" in body
        app.pop_screen()
        await pilot.press("p")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ApprovalsScreen)
        table = app.screen.query_one(DataTable)
        memos = [str(table.get_row_at(i)[-1]) for i in range(table.row_count)]
        assert MARKUP in memos

"""The seizure and purchase forms, driven by keys against a real register."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.app import App
from textual.widgets import Input, Static

from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.register import Register
from desk.tui.screens.acquisition import AcquisitionForm
from desk.tui.screens.confirm import ConfirmScreen
from tests.waiting import until

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


class FormApp(App[None]):
    """Just what the forms use of the desk app: the register and the clock."""

    def __init__(self, register: Register) -> None:
        super().__init__()
        self.register = register
        self.results: list[str | None] = []

    def now(self) -> datetime:
        return NOW


async def fill(pilot, form: AcquisitionForm, values: dict[str, str]) -> None:
    for name, value in values.items():
        form.query_one(f"#if-{name}", Input).value = value
    await pilot.pause()


async def test_a_seizure_is_checked_as_typed_and_posted_with_its_fields(register: Register) -> None:
    app = FormApp(register)
    async with app.run_test() as pilot:
        form = AcquisitionForm("seizure")
        await app.push_screen(form, app.results.append)
        await fill(pilot, form, {"case": "case-9", "asset": "BTC", "amount": "1.5", "to": "assets:wallet:ops"})
        # still empty fields are not errors while typing
        assert str(form.query_one("#acquisition-errors", Static).render()) == ""
        await fill(pilot, form, {"case_reference": "2-9/2026", "legal_basis": "court order", "authority": "AFM"})
        errors = str(form.query_one("#acquisition-errors", Static).render())
        assert "assets:wallet:ops is not a reserve account" in errors
        await pilot.press("ctrl+s")
        assert app.results == []  # refused: nothing recorded
        await fill(pilot, form, {"to": "assets:reserve:cold"})
        assert "1.50000000 BTC from income:seized:case-9" in str(form.query_one("#acquisition-hint", Static).render())
        await pilot.press("ctrl+s")
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the confirm step")
        assert await register.count() == 0  # nothing posted before the second key
        await pilot.press("y")
        await until(lambda: app.results, "the seizure to be posted")
    assert app.results[0].startswith("entry #1: seizure of 1.50000000 BTC posted")
    entry = await register.entry(1)
    assert entry.details == {"case_reference": "2-9/2026", "legal_basis": "court order", "authority": "AFM"}
    assert entry.ts == NOW and await register.balance("assets:reserve:cold", "BTC") == Amount(BTC, "1.5")


async def test_a_purchase_becomes_a_draft_and_an_empty_field_is_named_on_submit(
    register: Register, settings: DeskSettings
) -> None:
    app = FormApp(register)
    async with app.run_test() as pilot:
        form = AcquisitionForm("purchase")
        await app.push_screen(form, app.results.append)
        await fill(pilot, form, {"exchange": "aix", "asset": "BTC", "amount": "0.1", "price": "97000", "pay": "USDT"})
        await pilot.press("ctrl+s")
        await until(lambda: str(form.query_one("#acquisition-errors", Static).render()), "the form's refusal")
        assert str(form.query_one("#acquisition-errors", Static).render()) == "✗ required, still empty: order id"
        await fill(pilot, form, {"order_id": "ord-5"})
        assert "buy 0.10000000 BTC for 9,700.000000 USDT at 97000" in str(
            form.query_one("#acquisition-hint", Static).render()
        )
        await pilot.press("ctrl+s")
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the confirm step")
        await pilot.press("y")
        await until(lambda: app.results, "the purchase to be drafted")
    assert app.results == ["draft #1: purchase waiting for another operator's approval"]
    (draft,) = await register.drafts()
    assert draft.entry.kind == "purchase" and draft.entry.details == {"exchange": "aix", "order_id": "ord-5"}


async def test_escape_cancels(register: Register) -> None:
    app = FormApp(register)
    async with app.run_test() as pilot:
        await app.push_screen(AcquisitionForm("purchase"), app.results.append)
        await pilot.press("escape")
        await until(lambda: app.results, "the form to close")
    assert app.results == [None] and await register.drafts() == []

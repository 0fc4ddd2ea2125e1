"""The second key (issue 17, deliverable 3): approving, rejecting, seizing and purchasing
show the whole act first, and a single letter never posts anything. Driven by keys on a real
register; each of these failed on the code before the confirm step (checked by running them
against main's desk/)."""

from __future__ import annotations

from textual.widgets import DataTable, Input

from desk.money import USDT, Amount
from desk.register import NewEntry, Posting
from desk.tui.screens.acquisition import AcquisitionForm
from desk.tui.screens.approvals import ApprovalsScreen
from desk.tui.screens.confirm import ConfirmScreen, ReasonScreen
from tests.tui.pilot import confirm, settle
from tests.tui.seed import NOW
from tests.tui.test_approvals_flows import controlled  # noqa: F401  (the fixture)
from tests.tui.test_integrate import PURCHASE, SEIZURE, type_fields
from tests.waiting import until


def _text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


async def test_a_shows_the_whole_draft_and_only_y_approves(controlled) -> None:  # noqa: F811
    app = controlled("bolat", "dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("down", "a")  # the 0.1 BTC sweep: under the quorum
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the confirm step")
        detail = _text(app.screen, "#confirm-detail")
        assert "draft #2: transfer" in detail
        assert "drafted by aliya at 2026-11-20" in detail
        assert "assets:wallet:ops" in detail and "-0.10000000 BTC" in detail
        assert "assets:reserve:cold" in detail
        # worth in tenge and dollars, each with the quotes it rests on and when
        assert "9,739.81 USD  (kraken" in detail and "quoted 2026-11-20 11:59 UTC" in detail
        assert " KZT  (kraken BTC/USD x nbk USD/KZT" in detail and "official rate of" in detail
        assert "rules: allowlist:BTC, quorum:BTC:0.05 · approvals 0 of 2, 2 to go" in detail
        assert "y approve draft #2" in _text(app.screen, "#confirm-keys")
        await pilot.press("escape")  # left undone
        await settle(pilot)
        assert isinstance(app.screen, ApprovalsScreen)
        assert "draft #2 left as it was" in _text(app.screen, "#approvals-message")
        assert await app.register.draft_approvers(2) == ()
        await pilot.press("a")
        await confirm(pilot)
        assert await app.register.draft_approvers(2) == ("bolat",)


async def test_rejecting_shows_the_draft_refuses_an_empty_reason_aloud_and_lists_the_decision(controlled) -> None:  # noqa: F811
    app = controlled("bolat")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        assert "drafted by aliya" in _text(dialog, "#confirm-detail")
        await pilot.press("enter")
        await until(lambda: "needs a reason" in _text(dialog, "#reject-error"), "the empty reason refused")
        assert app.screen is dialog
        await pilot.press(*"not in the plan", "enter")
        await settle(pilot)
        history = app.screen.query_one("#approvals-history", DataTable)
        assert history.row_count == 2  # the seed's approved sweep, and this rejection on top
        row = [str(cell) for cell in history.get_row_at(0)]
        assert row[:3] == ["3", "rejected", "bolat"] and row[-1] == "not in the plan"


async def test_a_seizure_is_posted_only_after_the_confirm_step(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        count = await app.register.count()
        await pilot.press("S")
        await settle(pilot)
        await type_fields(pilot, SEIZURE)
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the confirm step")
        detail = _text(app.screen, "#confirm-detail")
        assert "post this seizure" in detail and "income:seized:c-117" in detail
        assert "posted at once, no second operator" in detail and "case reference: 2-117/26" in detail
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AcquisitionForm)  # back in the form, nothing written
        assert await app.register.count() == count


async def test_the_acquisition_form_keeps_labels_checks_a_field_as_it_is_left_and_names_the_missing(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AcquisitionForm)
        assert _text(form, "#il-case_reference") == "case reference"  # a label, there after typing too
        for name in ("case", "case_reference", "legal_basis", "authority", "asset"):
            form.query_one(f"#if-{name}", Input).value = SEIZURE[name]
        form.query_one("#if-amount", Input).focus()
        await pilot.press(*"0.123456789", "tab")  # left with too many decimals; `to` still empty
        await settle(pilot)
        errors = _text(form, "#acquisition-errors")
        assert errors == "✗ amount: 0.123456789 has more decimals than BTC allows (8)"  # named once
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "✗ required, still empty: reserve account" in _text(form, "#acquisition-errors")


async def test_a_purchase_shows_what_the_exchange_holds_and_warns_of_a_price_far_from_the_market(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        funds = Amount(USDT, "20000")
        await app.register.post(
            NewEntry(
                kind="opening",
                ts=NOW,
                postings=(Posting("equity:opening", -funds), Posting("assets:exchange:aix", funds)),
                memo="USDT on the exchange",
            )
        )
        await pilot.press("B")
        await settle(pilot)
        form = app.screen
        await pilot.press(*"aix", "enter")
        await settle(pilot)
        held = _text(form, "#acquisition-hint")
        assert "assets:exchange:aix holds 20" in held and "USDT" in held  # before any amount
        await type_fields(pilot, {k: v for k, v in PURCHASE.items() if k != "exchange"} | {"price": "111000"})
        await until(lambda: isinstance(app.screen, ConfirmScreen), "the confirm step")
        warning = _text(app.screen, "#confirm-warning")
        assert "13.9 % above the market" in warning and "binance" in warning
        await pilot.press("escape")
        await settle(pilot)
        assert "13.9 % above the market" in _text(form, "#acquisition-warning")
        assert await app.register.drafts() == []


async def test_the_transfer_form_shows_what_from_holds_before_an_amount(make_app) -> None:
    from desk.tui.screens.transfer import TransferForm

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TransferForm)
        await pilot.press(*"assets:wallet:ops", "tab")
        await settle(pilot)
        held = _text(app.screen, "#transfer-held")
        assert held.startswith("assets:wallet:ops holds ") and "BTC" in held
        await pilot.press("tab", *"BTC")
        await settle(pilot)
        assert _text(app.screen, "#transfer-held").endswith(" BTC") and app.screen.query_one("#tf-amount").value == ""

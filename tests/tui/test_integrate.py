"""The compliance panel on the dashboard, and seizures and purchases recorded from the keyboard
through to the register, the approvals queue and entry detail."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from desk.config import load_settings
from desk.money import BTC, USDT, Amount
from desk.register import NewEntry, Posting, Register
from desk.tui.app import create_app
from desk.tui.screens.acquisition import AcquisitionForm
from desk.tui.screens.approvals import ApprovalsScreen
from desk.tui.screens.detail import EntryDetail
from desk.tui.screens.help import HelpScreen
from desk.tui.widgets.compliance_panel import CompliancePanel
from tests.tui.pilot import confirm, notifications, palette, settle
from tests.tui.seed import CONFIG, NOW, T0, earning_amount, seed
from tests.waiting import until

SEIZURE = {
    "case": "c-117",
    "case_reference": "2-117/26",
    "legal_basis": "CPC art. 48",
    "authority": "AFM",
    "asset": "BTC",
    "amount": "0.75",
    "to": "assets:reserve:cold",
    "tx": "",
    "memo": "",
}
PURCHASE = {
    "exchange": "aix",
    "order_id": "ord-55",
    "asset": "BTC",
    "amount": "0.1",
    "price": "97000",
    "pay": "USDT",
    "into": "",
    "memo": "",
}


def panel_text(app) -> str:
    panel = app.screen.query_one("#dash-compliance", CompliancePanel)
    return "\n".join(str(line.render()) for line in panel.children)


def seeded_shortfall() -> Amount:
    """75 % (the shipped 2025+ share) of the BTC the seed mined from 1 November up to NOW."""
    mined = Amount(BTC, "0")
    for i in range(60):
        if NOW - timedelta(hours=12 * i + 3) >= T0:
            mined = mined + earning_amount(i)
    return Amount(BTC, (mined.value * Decimal("0.75")).quantize(Decimal("0.00000001")))


async def type_fields(pilot, values: dict[str, str]) -> None:
    """Each field typed and entered in the form's order; enter on the last one records."""
    for text in values.values():
        if text:
            await pilot.press(*text)
        await pilot.press("enter")


async def test_dashboard_shows_the_seeded_sell_through(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(lambda: "required" in panel_text(app), "the compliance panel")
        text = panel_text(app)
        panel = app.screen.query_one("#dash-compliance", CompliancePanel)
        assert panel.border_title == "sell-through 2026-11"
        assert "BTC  0.0 % of 75.0 % required" in text
        assert "11 d left" in text
        assert f"short {seeded_shortfall().format()} BTC" in text
        assert "AMBER" in text and panel.has_class("-amber")
        assert "verify against the current law" in text


async def test_panel_follows_a_sale_another_desk_records(tmp_path: Path) -> None:
    """A sale on the eligible venue, drafted and approved through another connection (another
    operator's desk): the panel reads it again when data_version moves."""
    path = tmp_path / "desk.toml"
    register = tmp_path / "register.sqlite"
    path.write_text(CONFIG + f'\n[venues.aix]\neligible = true\n[register]\npath = "{register}"\n')
    path.chmod(0o600)
    settings = load_settings(path, env={})
    await seed(settings)
    app = create_app(settings, register, now=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await until(lambda: "BTC  0.0 %" in panel_text(app), "the unsold standing")
        async with Register.open(register, operator="aliya", clock=lambda: NOW) as maker:
            moved = await maker.draft(
                NewEntry(
                    kind="transfer",
                    ts=NOW - timedelta(hours=1),
                    postings=(
                        Posting("assets:wallet:ops", -Amount(BTC, "0.1")),
                        Posting("assets:exchange:aix", Amount(BTC, "0.1")),
                    ),
                    memo="to the exchange",
                )
            )
            sold = await maker.draft(
                NewEntry(
                    kind="conversion",
                    ts=NOW - timedelta(minutes=30),
                    postings=(
                        Posting("assets:exchange:aix", -Amount(BTC, "0.1")),
                        Posting("assets:exchange:aix", Amount(USDT, "9741.235")),
                    ),
                    memo="sell on AIX",
                    price=Decimal("97412.35"),
                )
            )
        async with Register.open(register, operator="bolat", clock=lambda: NOW) as checker:
            await checker.approve(moved)
            await checker.approve(sold)
        await until(lambda: "BTC  0.0 %" not in panel_text(app), "the panel to show the sale")
        mined = seeded_shortfall().value / Decimal("0.75")
        assert f"BTC  {Decimal('0.1') / mined * 100:.1f} % of 75.0 % required" in panel_text(app)


async def test_seizure_from_the_keyboard_posts_and_shows_its_details(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = await app.register.balance("assets:reserve:cold", "BTC")
        said = notifications(app)
        await pilot.press("S")
        await settle(pilot)
        assert isinstance(app.screen, AcquisitionForm) and app.screen.kind == "seizure"
        await type_fields(pilot, SEIZURE)
        await confirm(pilot)
        await until(lambda: any("seizure of 0.75000000 BTC posted" in m for m in said), "the seizure's notice")
        assert not isinstance(app.screen, AcquisitionForm)
        after = await app.register.balance("assets:reserve:cold", "BTC")
        assert after - before == Amount(BTC, "0.75")
        # newest first in the register: the seizure (at NOW) is on top
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EntryDetail)
        await until(lambda: "seizure" in str(app.screen.query_one("#detail-body").render()), "the detail")
        body = str(app.screen.query_one("#detail-body").render())
        assert "case reference     2-117/26" in body
        assert "legal basis        CPC art. 48" in body
        assert "seizing authority  AFM" in body
        assert "income:seized:c-117" in body
        await settle(pilot)  # the dashboard's read of the write done before the app closes


async def test_seizure_form_names_the_wrong_field(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await type_fields(pilot, SEIZURE | {"to": "assets:wallet:ops"})
        form = app.screen
        assert isinstance(form, AcquisitionForm)
        errors = str(form.query_one("#acquisition-errors").render())
        assert "reserve account: assets:wallet:ops is not a reserve account" in errors
        assert await app.register.count() == 63  # nothing written
        await pilot.press("escape")
        assert not isinstance(app.screen, AcquisitionForm)


async def test_purchase_from_the_keyboard_waits_in_approvals(make_app) -> None:
    app = make_app(operators=["aliya", "bolat"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        funds = Amount(USDT, "10000")
        await app.register.post(
            NewEntry(
                kind="opening",
                ts=NOW - timedelta(days=1),
                postings=(Posting("equity:opening", -funds), Posting("assets:exchange:aix", funds)),
                memo="USDT on the exchange",
            )
        )
        said = notifications(app)
        await pilot.press("B")
        await settle(pilot)
        assert isinstance(app.screen, AcquisitionForm) and app.screen.kind == "purchase"
        await type_fields(pilot, PURCHASE)
        await confirm(pilot)
        await until(lambda: any("purchase waiting for another operator" in m for m in said), "the purchase's notice")
        assert not isinstance(app.screen, AcquisitionForm)
        assert await app.register.count() == 64  # drafted, not posted
        await pilot.press("p")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ApprovalsScreen)
        await until(lambda: len(screen.drafts) == 1, "the purchase in approvals")
        draft = screen.drafts[0]
        assert draft.entry.kind == "purchase"
        assert draft.entry.reference == "ord-55"
        assert dict(draft.entry.details or {}) == {"exchange": "aix", "order_id": "ord-55"}
        # approved by the second operator, it is posted and its detail shows the order
        await pilot.press("o", "a")
        await confirm(pilot)
        await until(lambda: screen.drafts == [], "the approved purchase to leave the queue")
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EntryDetail)
        await until(lambda: "purchase" in str(app.screen.query_one("#detail-body").render()), "the detail")
        body = str(app.screen.query_one("#detail-body").render())
        assert "exchange           aix" in body
        assert "order id           ord-55" in body
        assert "price              97000 USDT per BTC" in body
        await settle(pilot)  # the dashboard's read of the write done before the app closes


async def test_palette_and_help_offer_the_inflow_forms(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await palette(pilot, "New purchase")
        assert isinstance(app.screen, AcquisitionForm) and app.screen.kind == "purchase"
        await pilot.press("escape")
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Seizure" in text and "Purchase" in text


async def test_a_dashboard_read_while_the_app_closes_is_dropped(make_app) -> None:
    """The app removes a screen's widgets before its workers stop: a read then in flight (the
    panels' refresh after a write) must end quietly instead of failing the app's exit."""
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await screen.query_one("#dash").remove()
        screen.refresh_now()
        await settle(pilot)
        assert not screen.refresh_pending

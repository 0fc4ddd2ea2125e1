"""Proposing a policy change from the policy screen (`P`, then `n`), through
desk.operations.policy_change; failed on the code before (no such key: checked against
main's desk/)."""

from __future__ import annotations

from desk.controls import proposals
from desk.tui.screens.policy import PolicyScreen, ProposeDialog
from tests.tui.pilot import settle
from tests.tui.test_approvals_flows import controlled  # noqa: F401  (the fixture)
from tests.waiting import until


async def test_an_admin_proposes_a_change_from_the_policy_screen(controlled) -> None:  # noqa: F811
    app = controlled("carl", "aliya")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ProposeDialog)
        await pilot.press(*"limit-set per=day currency=KZT", "enter")
        await until(lambda: "below" in str(dialog.query_one("#propose-error").render()), "the missing field named")
        await pilot.press(*" below=300000000", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PolicyScreen)
        assert "change #2 proposed: limit KZT per UTC day below 300,000,000" in str(
            screen.query_one("#policy-message").render()
        )
        assert [p.proposed_by for p in await proposals.proposals(app.register, "pending")] == ["carl", "dana"]
        await pilot.press("o", "n")  # aliya is no admin: refused in the dialog, which stays
        await settle(pilot)
        await pilot.press(*"role-grant operator=aliya role=admin", "enter")
        await until(
            lambda: "needs the admin role" in str(app.screen.query_one("#propose-error").render()), "the refusal"
        )
        assert isinstance(app.screen, ProposeDialog)

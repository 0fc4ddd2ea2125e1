"""Two desks on one PostgreSQL register: the maker at desk A, the checker at desk B. Desk B's
screen shows desk A's draft as soon as it is committed (the server's notification wakes its
watch), B approves it with a key, and A's next entry appears in B's dashboard's latest activity."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from desk.config import DeskSettings, load_settings
from desk.money import BTC, Amount
from desk.operations.migrate import migrate
from desk.register import NewEntry, Posting, Register
from desk.tui.app import create_app
from desk.tui.screens.approvals import ApprovalsScreen
from desk.tui.screens.dashboard import DashboardScreen
from tests.pgserver import PgCluster
from tests.tui.pilot import confirm, settle
from tests.tui.seed import NOW, seed, write_settings
from tests.waiting import until


async def on_the_server(tmp_path: Path, cluster: PgCluster) -> DeskSettings:
    """The seeded demo register moved onto a fresh database (`desk migrate`), and the desk's
    settings pointing at it (URL in the environment, password in the secrets dir)."""
    local = write_settings(tmp_path)
    path = await seed(local)
    url = cluster.url(cluster.fresh_database())
    settings = load_settings(tmp_path / "desk.toml", env={"DESK_REGISTER__URL": url}, secrets_dir=cluster.secrets_dir)
    moved = await migrate(str(path), url, password=settings.register.password)
    assert moved.ok
    return settings


def sweep(memo: str) -> NewEntry:
    amount = Amount(BTC, "0.01")
    return NewEntry(
        kind="transfer",
        ts=NOW - timedelta(hours=1),
        postings=(Posting("assets:wallet:ops", -amount), Posting("assets:reserve:cold", amount)),
        memo=memo,
    )


async def test_a_draft_made_at_one_desk_is_approved_on_the_screen_of_another(
    tmp_path: Path, pg_cluster: PgCluster
) -> None:
    settings = await on_the_server(tmp_path, pg_cluster)
    desk_b = create_app(settings, tmp_path / "not-used.sqlite", now=lambda: NOW, operators=["bolat"])
    async with app_running(desk_b) as pilot, Register.open(settings.register, operator="aliya") as desk_a:
        await pilot.press("p")
        await settle(pilot)
        screen = desk_b.screen
        assert isinstance(screen, ApprovalsScreen)
        waiting = {d.id for d in screen.drafts}
        draft_id = await desk_a.draft(sweep("made at desk A"))
        await until(lambda: draft_id in {d.id for d in screen.drafts}, "desk A's draft on desk B's screen")
        assert waiting < {d.id for d in screen.drafts}
        screen.query_one("DataTable").move_cursor(row=[d.id for d in screen.drafts].index(draft_id))
        await pilot.press("a")  # the whole draft first; `y` approves (desk/tui/screens/confirm.py)
        await confirm(pilot)
        await until(lambda: draft_id not in {d.id for d in screen.drafts}, "the approved draft gone from the queue")
        posted = await desk_a.first()
        assert posted is not None and (posted.memo, posted.drafted_by, posted.approved_by) == (
            "made at desk A",
            "aliya",
            "bolat",
        )
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(desk_b.screen, DashboardScreen)
        seq = await desk_a.post(
            NewEntry(
                kind="opening",
                ts=NOW - timedelta(minutes=5),
                memo="posted at desk A",
                postings=(
                    Posting("equity:opening", -Amount(BTC, "0.5")),
                    Posting("assets:reserve:cold", Amount(BTC, "0.5")),
                ),
            )
        )
        await until(lambda: f"\n{seq} " in recent(desk_b), f"desk A's entry #{seq} in desk B's latest activity")
        await pilot.press("q")
    assert (await verify(settings)).ok


def recent(app) -> str:
    return str(app.screen.query_one("#dash-recent").render())


async def verify(settings: DeskSettings):
    async with Register.open(settings.register, operator="auditor") as register:
        return await register.verify()


def app_running(app):
    return app.run_test(size=(140, 40))

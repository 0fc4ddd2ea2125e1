"""The unmatched queue: an open break stays open until an operator resolves it with a note,
recorded as a chained action; `desk reconcile` exits 1 while breaks are open."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from desk.cli import main, reconcile_cmds
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.reconcile import resolutions
from desk.reconcile.view import BreakRow
from desk.register import EntryRejected, Register
from desk.sim import SimCluster
from desk.sim.workload import feed_entry
from tests.reconcile.conftest import Reconcile, cli_config, payout_on
from tests.reconcile.test_three_way import DAY


async def test_resolving_a_break_records_a_chained_action_and_closes_it(
    run: Reconcile, sim: SimCluster, settings: DeskSettings
) -> None:
    sim.chain.drop_tx(payout_on(sim, "braiins", DAY).tx_id)
    (found,) = (await run(DAY, DAY)).open_breaks
    async with Register.open(settings.register.path, operator="checker-1") as register:
        seq = await resolutions.resolve(
            register, found.id, "  pool re-sent it as tx abc on 11-21  ", {"kind": found.kind}
        )
        with pytest.raises(EntryRejected, match="already resolved"):
            await resolutions.resolve(register, found.id, "again")
        with pytest.raises(EntryRejected, match="needs a note"):
            await resolutions.resolve(register, "rb-000000000000", "   ")
        (action,) = [a for a in await register.actions(limit=10) if a["action"] == "resolve_break"]
        assert action["seq"] == seq and action["operator"] == "checker-1"
        assert action["detail"] == {
            "break": found.id,
            "note": "pool re-sent it as tx abc on 11-21",
            "kind": "missing_on_chain",
        }
        verified = await register.verify()
        assert verified.ok, verified.problems
    after = await run(DAY - timedelta(days=1), DAY)
    assert after.open_breaks == []
    resolved = after.find(found.id)
    assert resolved is not None and resolved.state == "resolved"
    assert resolved.resolution is not None and resolved.resolution.by == "checker-1"


async def test_a_row_that_is_not_open_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    """The rules of desk.reconcile.resolutions on rows of the view: an explained break and
    a resolved one are refused in the words both faces show, before any write."""
    row = BreakRow(
        id="rb-0123456789ab",
        state="explained",
        scope="f2main",
        day=DAY,
        kind="pool_fee",
        difference=Amount.from_units(BTC, 777),
        why="",
        txid=None,
        resolved_by=None,
        resolved_note=None,
    )
    async with Register.open(tmp_path / "r.sqlite", operator="checker-1", create=True) as register:
        with pytest.raises(EntryRejected, match="rb-0123456789ab is pool_fee: it explains itself"):
            await resolutions.resolve_row(register, row, "paid next day")
        with pytest.raises(EntryRejected, match="already resolved by bek"):
            await resolutions.resolve_row(register, replace(row, state="resolved", resolved_by="bek"), "again")
        with pytest.raises(EntryRejected, match="is not a break id"):
            await resolutions.resolve(register, "rb-" + "0" * 70, "a note")
        assert await resolutions.resolved(register) == {}
        seq = await resolutions.resolve_row(register, replace(row, state="open", kind="short_payment"), " short ")
    (action,) = [a for a in await _actions(tmp_path / "r.sqlite") if a["action"] == "resolve_break"]
    assert action["seq"] == seq
    assert action["detail"] == {
        "break": "rb-0123456789ab",
        "note": "short",
        "scope": "f2main",
        "day": str(DAY),
        "kind": "short_payment",
        "difference": "0.00000777",
        "asset": "BTC",
        "txid": None,
    }


async def _actions(path: Path) -> list[dict[str, object]]:
    async with Register.open(path, operator="audit") as register:
        return await register.actions(limit=10)


async def desk(*argv: str) -> int:
    """The `desk` command in a worker thread (its own event loop), so the simulator on this
    test's loop keeps answering."""
    return await asyncio.to_thread(main, list(argv))


async def test_desk_reconcile_exit_codes_json_and_resolve(
    tmp_path: Path,
    run: Reconcile,
    sim: SimCluster,
    settings: DeskSettings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shortened = payout_on(sim, "f2main", DAY)
    sim.chain.shorten(shortened.tx_id, 777)
    await run(DAY, DAY)  # the sync fills the register
    config = str(cli_config(tmp_path, sim, settings))
    window = ["--from", str(DAY - timedelta(days=2)), "--to", str(DAY)]
    capsys.readouterr()

    assert await desk("reconcile", "--config", config, *window, "--json") == ExitCode.FAILED
    report = json.loads(capsys.readouterr().out)
    assert report["open"] == 1 and report["chain_checked"] and report["problems"] == []
    first = report["days"][0]
    assert (first["scope"], first["day"], first["state"]) == ("f2main", str(DAY), "open")
    (short,) = first["breaks"]
    assert (short["kind"], short["difference"], short["asset"]) == ("short_payment", "0.00000777", "BTC")
    assert {d["state"] for d in report["days"][1:]} == {"clean"}

    with pytest.raises(SystemExit) as usage:  # no note: a usage error, exit 2
        await desk("reconcile", "resolve", short["id"], "--config", config, *window)
    assert usage.value.code == ExitCode.CONFIG and "--note" in capsys.readouterr().err
    assert (
        await desk("reconcile", "resolve", "rb-ffffffffffff", "--note", "x", "--config", config, *window)
        == ExitCode.REFUSED
    )
    assert "no break rb-ffffffffffff" in capsys.readouterr().err
    assert (
        await desk(
            "reconcile",
            "resolve",
            short["id"],
            "--note",
            "fee taken by the pool's wallet; ticket 41",
            "--config",
            config,
            *window,
        )
        == ExitCode.OK
    )
    assert short["id"] in capsys.readouterr().out

    assert await desk("reconcile", "--config", config, *window) == ExitCode.OK
    out = capsys.readouterr().out
    assert "resolved" in out and "no open break" in out
    monkeypatch.setattr(reconcile_cmds, "LONG", 0)  # a long list of breaks: plain columns, every break
    assert await desk("reconcile", "--config", config, *window) == ExitCode.OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == list(reconcile_cmds.BREAK_COLUMNS)
    (row,) = [line for line in lines if line.startswith(short["id"])]
    assert row.split()[:6] == [short["id"], "resolved", "f2main", str(DAY), "short_payment", "0.00000777"]
    assert await desk("verify", "--config", config) == ExitCode.OK


async def test_a_register_at_odds_with_its_pools_lists_the_first_breaks_and_counts_them_all(
    tmp_path: Path, sim: SimCluster, settings: DeskSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    """Hundreds of entries no pool reports (the bench's register against the demo pools had
    98,000): the listing stops at --limit with every break still counted, per kind, and says
    how to see the rest."""
    start = datetime.combine(DAY, time(0), tzinfo=UTC)
    async with Register.open(settings.register.path, operator="feeder") as register:
        await register.ingest([feed_entry(i, start) for i in range(300)])
    config = str(cli_config(tmp_path, sim, settings))
    window = ["--from", str(DAY), "--to", str(DAY)]
    capsys.readouterr()

    assert await desk("reconcile", "--config", config, *window, "--json") == ExitCode.FAILED
    every = [b for d in json.loads(capsys.readouterr().out)["days"] for b in d["breaks"]]
    not_reported = [b for b in every if b["kind"] == "not_reported_by_pool"]
    assert len(not_reported) == 220 and len(every) > 220  # braiins is off in this config: 80 are its

    assert await desk("reconcile", "--config", config, *window, "--limit", "20") == ExitCode.FAILED
    out = capsys.readouterr().out
    listed = [line for line in out.splitlines() if re.search(r"\brb-[0-9a-f]{12}\b", line)]
    assert len(listed) == 20
    assert f"the first 20 of {len(every)}" in out
    assert f"{len(every)} breaks by kind: not_reported_by_pool 220 open" in out
    assert f"{len(every) - 20} not listed: `desk reconcile --limit 0` lists every one" in out

    assert await desk("reconcile", "--config", config, *window, "--limit", "0") == ExitCode.FAILED
    out = capsys.readouterr().out
    assert len([line for line in out.splitlines() if re.search(r"\brb-[0-9a-f]{12}\b", line)]) == len(every)
    assert "not listed" not in out

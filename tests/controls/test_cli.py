"""`desk policy`, `desk transfer`, `desk pending` and `desk approve` under roles and a quorum."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desk.cli import main
from desk.register import Quote, Register
from tests.controls.conftest import ROLES, T0, write_config


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    write_config(tmp_path, ROLES + '[[policy.quorums]]\nasset = "BTC"\nat_least = "1"\napprovals = 2\n')
    monkeypatch.setenv("DESK_CONFIG", str(tmp_path / "desk.toml"))

    def run(*args: str, operator: str) -> tuple[int, str, str]:
        monkeypatch.setenv("DESK_OPERATOR__NAME", operator)
        code = main(list(args))
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("init", operator="dana")[0] == 0
    return run


def fund(path: Path) -> None:
    import asyncio

    from tests.controls.conftest import funding

    async def go() -> None:
        async with Register.open(path, operator="sync") as reg:
            await reg.ingest([funding("10")])
            await reg.record_quotes([Quote("BTC", "USD", 100_000, "kraken", T0, T0)])

    asyncio.run(go())


TRANSFER = ("transfer", "--from", "assets:wallet:ops", "--to", "assets:reserve:cold", "--asset", "BTC")


def test_policy_change_by_cli_then_a_refused_transfer_names_the_rule(desk, tmp_path: Path) -> None:
    fund(tmp_path / "register.sqlite")
    code, out, err = desk(
        "policy", "propose", "allow-add", "--asset", "BTC", "--to", "assets:reserve:cold", operator="bolat"
    )
    assert code == 4 and "bolat may not propose: that needs the admin role" in err
    code, out, _ = desk(
        "policy", "propose", "allow-add", "--asset", "BTC", "--to", "assets:reserve:cold", operator="dana"
    )
    assert code == 0 and out.startswith("policy change #1: allow BTC to assets:reserve:cold;")
    code, out, _ = desk("policy", "pending", "--json", operator="audit")
    assert json.loads(out)[0] | {"created_at": ""} == {
        "id": 1,
        "proposed_by": "dana",
        "created_at": "",
        "op": "allow_add",
        "asset": "BTC",
        "destination": "assets:reserve:cold",
    }
    code, _, err = desk("policy", "approve", "1", operator="dana")
    assert code == 4 and "a different admin must approve it" in err
    code, out, _ = desk("policy", "approve", "1", operator="carl")
    assert code == 0 and "approved and in force: allow BTC to assets:reserve:cold" in out
    code, out, _ = desk("policy", "show", operator="audit")
    assert "  BTC: assets:reserve:cold" in out and "  quorum:BTC:1: 2 distinct checkers from 1 BTC" in out
    assert "  aliya: maker" in out
    code, out, _ = desk("policy", "show", "--json", operator="audit")
    shown = json.loads(out)
    assert shown["roles_enforced"] and shown["allowlist"] == {"BTC": ["assets:reserve:cold"]}
    assert shown["quorums"] == [{"rule": "quorum:BTC:1", "at_least": "1", "unit": "BTC", "approvals": 2}]
    code, _, err = desk(*TRANSFER[:4], "assets:exchange:aix", *TRANSFER[5:], "--amount", "1", operator="aliya")
    assert code == 4 and "refused by rule allowlist:BTC" in err
    code, _, err = desk(*TRANSFER, "--amount", "1", operator="audit")
    assert code == 4 and "audit may not draft: that needs the maker role" in err
    code, out, _ = desk("verify", operator="audit")
    assert code == 0 and out.startswith("OK 1 entries, 3 actions")


def test_pending_and_approve_show_the_rule_and_the_approvals_left(desk, tmp_path: Path) -> None:
    fund(tmp_path / "register.sqlite")
    assert desk(*TRANSFER, "--amount", "1.5", operator="aliya")[0] == 0
    code, out, _ = desk("pending", operator="bolat")
    assert "rules: quorum:BTC:1 · approvals 0 of 2, 2 to go" in out
    code, out, _ = desk("approve", "1", operator="bolat")
    assert code == 0
    shown, _, result = out.strip().rpartition("\n")  # the draft in full, then what was done
    assert "postings:" in shown and "worth now:" in shown and "rules: quorum:BTC:1" in shown
    assert result == "draft #1: approval 1 of 2 recorded (bolat); 1 more from a different checker (quorum:BTC:1)"
    code, _, err = desk("approve", "1", operator="bolat")
    assert code == 4 and "refused by rule quorum:BTC:1: bolat has already approved draft #1" in err
    code, _, err = desk("approve", "1", operator="audit")
    assert code == 4 and "audit may not approve: that needs the checker role, and audit holds auditor" in err
    code, out, _ = desk("pending", operator="dana")
    assert "approvals 1 of 2 (bolat), 1 to go" in out
    code, out, _ = desk("approve", "1", operator="dana")
    assert code == 0 and "approved and posted as entry #2" in out
    assert desk("export", "--format", "csv", operator="audit")[0] == 0


@pytest.mark.parametrize(("answer", "code", "posted"), [("n", 1, False), ("y", 0, True)])
def test_approve_at_a_terminal_shows_the_draft_and_asks(
    desk, tmp_path: Path, answer: str, code: int, posted: bool
) -> None:
    """Confirm what matters (issue 17), on the command line too: at a terminal `desk approve`
    shows the draft in full and only "y" approves; before, it approved at once."""
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import REPO
    from tests.waiting import PATIENCE

    fund(tmp_path / "register.sqlite")
    assert desk(*TRANSFER, "--amount", "0.5", operator="aliya")[0] == 0
    controller, terminal = pty.openpty()
    env = {**os.environ, "DESK_CONFIG": str(tmp_path / "desk.toml"), "DESK_OPERATOR__NAME": "bolat"}
    process = subprocess.Popen(
        [sys.executable, "-m", "desk", "approve", "1"], cwd=REPO, env=env, stdin=terminal, stdout=subprocess.PIPE
    )
    os.close(terminal)
    os.write(controller, f"{answer}\n".encode())  # read when the question is asked (the terminal keeps it)
    out, _ = process.communicate(timeout=PATIENCE)
    os.close(controller)
    assert process.returncode == code
    assert "postings:" in out.decode() and "worth now:" in out.decode()
    _, pending, _ = desk("pending", operator="dana")
    assert ("no drafts waiting" in pending) == posted


def test_reject_at_a_terminal_refuses_a_blank_reason_before_it_asks(desk, tmp_path: Path) -> None:
    """A blank reason is refused at once, naming the field; before, the draft was shown and
    the question asked, and only a "y" learned that the reason would never do."""
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import REPO
    from tests.waiting import PATIENCE

    fund(tmp_path / "register.sqlite")
    assert desk(*TRANSFER, "--amount", "0.5", operator="aliya")[0] == 0
    controller, terminal = pty.openpty()
    env = {**os.environ, "DESK_CONFIG": str(tmp_path / "desk.toml"), "DESK_OPERATOR__NAME": "bolat"}
    process = subprocess.Popen(
        [sys.executable, "-m", "desk", "reject", "1", "--reason", "  "],
        cwd=REPO,
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    os.close(terminal)
    os.write(controller, b"y\n")  # what an operator would answer, were it asked
    out, err = process.communicate(timeout=PATIENCE)
    os.close(controller)
    assert process.returncode != 0
    assert "postings:" not in out.decode()  # nothing shown, nothing asked
    assert "reason" in err.decode() and "a rejection needs a reason" in err.decode(), err
    _, pending, _ = desk("pending", operator="dana")
    assert "#1" in pending  # still waiting

"""Every bad input is a clear refusal: the documented exit code, one line naming what was
wrong and where, nothing written, and `desk verify` still OK afterwards.

One table across the faces a person or a feed reaches desk through: the command line, the
configuration (file, environment, secret files), the screen's forms (typed with the pilot)
and the feeds (a simulated pool answering badly, through `desk sync --once`). Exit codes
are the README's: 2 bad configuration or usage, 4 input refused, 1 a feed failed (the
others still written). For a form, "refused" is its error line and nothing recorded.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import sqlite3
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desk.cli import main
from desk.config import load_settings
from desk.register import Register
from tests.builders import NOW, desk_config
from tests.conftest import REPO
from tests.integrity.conftest import earning, payout, transfer

ESC, BEL = "\x1b", "\x07"

CONFIG = desk_config(ocean=None)


@dataclass(frozen=True)
class Bad:
    """One bad input: how it is given (`face`), what is refused (`code`, and `needle` in the
    one line), and what must never appear (`hidden`, e.g. a secret's value)."""

    name: str
    face: str  # cli | config | form | feed
    args: tuple[str, ...] = ()
    code: int = 4
    needle: str = ""
    env: dict[str, str] = field(default_factory=dict)
    config: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()
    form: dict[str, str] = field(default_factory=dict)
    fault: str = ""


def transfer_args(**changed: str) -> tuple[str, ...]:
    values = {"from": "assets:wallet:ops", "to": "assets:reserve:cold", "asset": "BTC", "amount": "0.1", **changed}
    argv = ["transfer"]
    for flag, value in values.items():
        argv += [f"--{flag}", value]
    return tuple(argv)


def seize_args(**changed: str) -> tuple[str, ...]:
    values = {
        "case": "case-9",
        "case-ref": "2-9/2026",
        "legal-basis": "court order",
        "authority": "AFM",
        "asset": "BTC",
        "amount": "1",
        "to": "assets:reserve:cold",
        **changed,
    }
    argv = ["seize"]
    for flag, value in values.items():
        argv += [f"--{flag}", value]
    return tuple(argv)


def purchase_args(**changed: str) -> tuple[str, ...]:
    values = {
        "exchange": "aix",
        "order-id": "o-1",
        "asset": "BTC",
        "amount": "0.01",
        "price": "97000",
        "pay": "USDT",
        **changed,
    }
    argv = ["purchase"]
    for flag, value in values.items():
        argv += [f"--{flag}", value]
    return tuple(argv)


def cli(name: str, args: tuple[str, ...], needle: str, code: int = 4) -> Bad:
    return Bad(name, "cli", args=args, code=code, needle=needle)


def conf(
    name: str,
    needle: str,
    *,
    config: str = "",
    env: dict[str, str] | None = None,
    files: dict[str, bytes] | None = None,
    hidden: tuple[str, ...] = (),
) -> Bad:
    return Bad(
        name,
        "config",
        args=("balances",),
        code=2,
        needle=needle,
        config=config,
        env=env or {},
        files=files or {},
        hidden=hidden,
    )


def form(name: str, needle: str, **typed: str) -> Bad:
    return Bad(name, "form", code=4, needle=needle, form=typed)


# fmt: off
TABLE = [
    # --- the command line: amounts
    cli("amount with grouping", transfer_args(amount="1,000.5"), "--amount: '1,000.5' has a comma"),
    cli("amount with a decimal comma", transfer_args(amount="0,5"), "with '.' for decimals: '0.5'"),
    cli("amount grouped without decimals", transfer_args(amount="1,000"), "'1000', or '1.000' for a decimal comma"),
    cli("amount of 90 digits", transfer_args(amount="1" * 90), "at most 64"),
    cli("amount of 70 decimals", transfer_args(amount="0." + "1" * 70), "at most 64"),
    cli("amount zero", transfer_args(amount="0"), "more than zero"),
    cli("amount negative", transfer_args(amount="-1"), "negative"),
    cli("amount exponent out of range", transfer_args(amount="1e400"), "exponent out of range"),
    cli("amount not finite", transfer_args(amount="NaN"), "not a finite number"),
    cli("amount beyond the asset's decimals", transfer_args(amount="0.000000001"), "more decimals than BTC"),
    cli("amount empty", transfer_args(amount=" "), "empty"),
    cli("amount in full-width digits", transfer_args(amount="１２"), "ASCII"),
    cli("amount beyond the sane cap", transfer_args(amount="1e25"), "sane cap"),
    cli("amount in words", transfer_args(amount="one"), "not a number"),
    # --- the command line: assets and accounts
    cli("asset in lower case", transfer_args(asset="btc"), "asset codes are upper case: BTC"),
    cli("asset unknown", transfer_args(asset="XYZ"), "'XYZ' is not in the register"),
    cli("account unknown", transfer_args(**{"from": "assets:wallet:nope"}), "--from: unknown account"),
    cli("account twice", transfer_args(to="assets:wallet:ops"), "--from and --to are the same account"),
    cli("transfer out of mining income", transfer_args(**{"from": "income:mining:f2main"}), "rule income:mining:out"),
    cli("transfer into mining income", transfer_args(to="income:mining:f2main"), "rule income:mining:in"),
    cli("transfer out of a pool", transfer_args(**{"from": "assets:pool:f2main"}), "rule assets:pool:out"),
    cli("transfer out of opening equity", transfer_args(**{"from": "equity:opening"}), "rule equity:opening:out"),
    # --- the command line: text
    cli("memo with ESC", transfer_args(memo=f"ok{ESC}[2J"), "--memo: memo holds a non-printable character (U+001B)"),
    cli("memo with BEL", transfer_args(memo=f"ding{BEL}"), "(U+0007)"),
    cli("reference with a newline", transfer_args(reference="ab\ncd"), "--reference: reference holds"),
    cli("memo with a right-to-left override", transfer_args(memo="abc\u202edcba"), "U+202E RIGHT-TO-LEFT OVERRIDE"),
    cli("memo too long", transfer_args(memo="m" * 501), "at most 500"),
    cli("rejection reason with ESC", ("reject", "1", "--reason", f"no{ESC}"), "reason holds a non-printable"),
    cli("rejection reason blank", ("reject", "1", "--reason", "  "), "needs a reason"),
    cli("break note with ESC", ("reconcile", "resolve", "rb-1", "--note", f"x{ESC}]0;t{BEL}"), "note holds"),
    cli("policy reason with ESC", ("policy", "reject", "1", "--reason", f"no{ESC}"), "reason holds"),
    cli("kWh memo with BEL", ("fee", "record", "--period", "2026-Q4", "--kwh", "10", "--source", "own",
                              "--memo", f"m{BEL}"), "desk fee record: --memo holds"),
    # --- the command line: seizures and purchases
    cli("seizure in lower-case asset", seize_args(asset="btc"), "--asset: asset 'btc' is not in the register; asset"),
    cli("seizure amount grouped", seize_args(amount="1,5"), "desk seize: --amount: '1,5' has a comma"),
    cli("seizure case not a name", seize_args(case="Case 9"), "--case: 'Case 9' is not an account name"),
    cli("seizure legal basis with ESC", seize_args(**{"legal-basis": f"art{ESC}"}), "details.legal_basis holds"),
    cli("seizure into a wallet", seize_args(to="assets:wallet:ops"), "is not a reserve account"),
    cli("purchase price grouped", purchase_args(price="97,000"), "desk purchase: --price: '97,000' has a comma"),
    cli("purchase price not finite", purchase_args(price="inf"), "not a finite number"),
    cli("purchase price negative", purchase_args(price="-5"), "must be a positive number"),
    cli("purchase price with underscores", purchase_args(price="97_000"), "is not a number"),
    cli("kWh grouped", ("fee", "record", "--period", "2026-Q4", "--kwh", "1,000", "--source", "own"), "has a comma"),
    cli("policy limit in lower-case asset", ("policy", "propose", "limit-set", "--per", "day", "--asset", "btc",
                                             "--below", "5"), "asset codes are upper case: BTC"),
    # --- the command line: usage (one line, exit 2)
    cli("draft id not a number", ("approve", "abc"), "desk approve: argument ID: invalid int value: 'abc'", 2),
    cli("count not a number", ("log", "-n", "many"), "desk log: argument -n: invalid int value", 2),
    cli("date that does not exist", ("balances", "--at", "2026-02-30"), "is not a date like 2026-11-24", 2),
    cli("month that does not exist", ("report", "--month", "2026-13"), "is not YYYY-MM", 2),
    cli("policy currency in lower case", ("policy", "propose", "limit-set", "--per", "day", "--currency", "kzt",
                                          "--below", "5"), "invalid choice: 'kzt'", 2),
    cli("checkpoint that is not one", ("verify", "--against", "nonsense"), "not a desk checkpoint"),
    cli("checkpoint file missing", ("verify", "--against", "@nowhere.txt"), "--against: no such file"),
    cli("checkpoint file not UTF-8", ("verify", "--against", "@latin1.txt"), "is not UTF-8 text"),
    cli("draft that does not exist", ("approve", "999"), "no draft #999"),
    cli("export over a folder", ("export", "--format", "csv", "--out", "afolder"), "--out: cannot write"),
    # --- the configuration (exit 2, one line, naming the file or variable and the key)
    conf("environment list not JSON", "environment DESK_ACCOUNTS__WALLETS: accounts.wallets",
         env={"DESK_ACCOUNTS__WALLETS": "[ops"}),
    conf("environment number not a number", "environment DESK_SYNC__POOLS_INTERVAL",
         env={"DESK_SYNC__POOLS_INTERVAL": "soon"}),
    conf("base URL not a URL", "pools.f2main.base_url: 'not a url' is not a URL",
         config='[pools.f2main]\nkind = "f2pool"\nuser = "kz-01"\nbase_url = "not a url"\n'),
    conf("base URL of another scheme", "is not a URL; expected https://",
         config='[chains.esplora]\nbase_url = "ftp://mempool.space/api"\n'),
    conf("RPC URL with credentials", "with credentials in it is refused",
         config='[chains.bsc]\nrpc_url = "https://user:hunter2@bsc.example"\n', hidden=("hunter2",)),
    conf("stream URL over HTTP", "expected wss://",
         config='[prices.sources.ws]\nkind = "binance_ws"\nbase_url = "https://stream.binance.com"\n'),
    conf("token typed as a number", "pools.braiins.token: Input should be a valid string (the value is a secret",
         config='[pools.braiins]\nkind = "braiins"\ntoken = 73917391\n', hidden=("73917391",)),
    conf("secret file not UTF-8", "secrets/pools__f2main__token: secret file is not UTF-8 text",
         files={"secrets/pools__f2main__token": b"\xff\xfetok"}),
    conf("secret file readable by others", "Fix: chmod 600", files={"secrets/pools__f2main__token@644": b"tok-1"},
         hidden=("tok-1",)),
    conf("config file not UTF-8", "not UTF-8 text", config="[operator]\nname = \"\xe9\"\n@latin1"),
    conf("config file not TOML", "not valid TOML", config="[operator\n"),
    conf("unknown key", "operator.nmae: unknown key", config='[operator]\nnmae = "x"\n'),
    conf("precision beyond 18", "assets.BTC", config="[assets]\nBTC = 19\n"),
    conf("operator name with a space", "operator.name", config='[operator]\nname = "ali ya"\n'),
    # --- the screen's forms, typed key by key
    form("form amount grouped", "has a comma", **{"from": "assets:wallet:ops", "to": "assets:reserve:cold",
                                                   "asset": "BTC", "amount": "1,000.5"}),
    form("form asset in lower case", "asset codes are upper case: BTC", asset="btc"),
    form("form transfer out of mining income", "refused by rule income:mining:out",
         **{"from": "income:mining:f2main", "to": "assets:reserve:cold", "asset": "BTC", "amount": "0.1"}),
    form("form transfer into mining income", "refused by rule income:mining:in",
         **{"from": "assets:wallet:ops", "to": "income:mining:f2main", "asset": "BTC", "amount": "0.1"}),
    form("form amount of 70 digits", "at most 64",
         **{"from": "assets:wallet:ops", "asset": "BTC", "amount": "9" * 70}),
    form("form amount beyond the balance", "refused by rule funds: insufficient balance",
         **{"from": "assets:wallet:ops", "to": "assets:reserve:cold", "asset": "BTC", "amount": "50"}),
    # --- the feeds: a pool answering badly fails alone, its records unwritten
    Bad("pool body cut short", "feed", code=1, needle="f2main degraded: f2main /v2/", fault="truncated"),
    Bad("pool numbers of the wrong type", "feed", code=1, needle="expected a number, got dict", fault="wrong_types"),
    Bad("pool numbers empty", "feed", code=1, needle="missing number (got '')", fault="empty_number"),
]
# fmt: on


def test_the_table_holds_at_least_sixty_bad_inputs_across_every_face() -> None:
    assert len(TABLE) >= 60
    assert {case.face for case in TABLE} == {"cli", "config", "form", "feed"}
    assert len({case.name for case in TABLE}) == len(TABLE)


# ---------------------------------------------------------------- the workspace


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register with a funded wallet and one pending draft (#1), built once."""
    home = tmp_path_factory.mktemp("seeded")
    config = home / "desk.toml"
    config.write_text(CONFIG + f'\n[register]\npath = "{home / "register.sqlite"}"\n')
    config.chmod(0o600)
    settings = load_settings(config, env={})

    async def build() -> None:
        async with Register.open(settings.register, operator="aliya", create=True) as reg:
            await reg.init_accounts(settings)
            await reg.ingest([earning(i, "1") for i in range(5)] + [payout(3, "2", status="confirmed", tx="aa" * 32)])
            await reg.draft(transfer("0.1", 30))

    asyncio.run(build())
    return home


@pytest.fixture
def workspace(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seeded register with its config, the working directory of the case."""
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(seeded / "register.sqlite", work / "register.sqlite")
    config = work / "desk.toml"
    config.write_text(CONFIG + f'\n[register]\npath = "{work / "register.sqlite"}"\n')
    config.chmod(0o600)
    (work / "latin1.txt").write_bytes("desk-checkpoint v1 seq=1 hash=\xe9".encode("latin-1"))
    (work / "afolder").mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("DESK_CONFIG", str(config))
    monkeypatch.setenv("DESK_SECRETS_DIR", str(work / "secrets"))
    return work


def fingerprint(work: Path) -> str:
    """Everything the register holds and every file beside it (WAL files aside)."""
    digest = hashlib.sha256()
    conn = sqlite3.connect(work / "register.sqlite")
    for line in conn.iterdump():
        digest.update(line.encode())
    conn.close()
    for path in sorted(work.rglob("*")):
        if not path.name.endswith(("-wal", "-shm")):
            digest.update(f"{path.relative_to(work)} {stat.S_IMODE(path.stat().st_mode):o}".encode())
    return digest.hexdigest()


def stderr_lines(capsys: pytest.CaptureFixture[str], run: Callable[[], int]) -> tuple[int, list[str], str]:
    capsys.readouterr()
    try:
        code = run()
    except SystemExit as exc:  # argparse's usage errors end the process, as `desk` does
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out + captured.err


# ---------------------------------------------------------------- the faces


def run_cli(case: Bad, work: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    return stderr_lines(capsys, lambda: main(list(case.args)))


def run_config(case: Bad, work: Path, capsys, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str], str]:
    config = work / "desk.toml"
    if case.config.endswith("@latin1"):
        config.write_bytes((CONFIG + case.config.removesuffix("@latin1")).encode("latin-1"))
    elif case.config:
        body = CONFIG + f'\n[register]\npath = "{work / "register.sqlite"}"\n'
        config.write_text(_merge(body, case.config))
    for name, content in case.files.items():
        name, _, mode = name.partition("@")
        path = work / name
        path.parent.mkdir(mode=0o700, exist_ok=True)
        path.write_bytes(content)
        path.chmod(int(mode or "600", 8))
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    return stderr_lines(capsys, lambda: main(list(case.args)))


def _merge(body: str, extra: str) -> str:
    """`extra`'s tables replace the same tables of `body` (TOML allows a table once)."""
    tables = {line for line in extra.splitlines() if line.startswith("[")}
    kept, skipping = [], False
    for line in body.splitlines():
        if line.startswith("["):
            skipping = line in tables
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n" + extra


def run_form(case: Bad, work: Path) -> tuple[int, list[str], str]:
    from desk.tui.app import create_app
    from desk.tui.screens.transfer import TransferForm

    settings = load_settings(work / "desk.toml", env={})

    async def drive() -> tuple[int, list[str], str]:
        app = create_app(settings, settings.register.path, now=lambda: NOW)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("t")
            await pilot.pause()
            await app.workers.wait_for_complete()
            form = app.screen
            assert isinstance(form, TransferForm)
            for name in ("from", "to", "asset", "amount", "reference", "memo"):
                if case.form.get(name):
                    await pilot.press(*case.form[name])
                await pilot.press("tab")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            refused = isinstance(app.screen, TransferForm) and bool(form.errors)
            drafts = await app.register.drafts()
            code = 4 if refused and len(drafts) == 1 else 0
            return code, list(form.errors), "\n".join(form.errors)

    return asyncio.run(drive())


def run_feed(case: Bad, work: Path) -> tuple[int, list[str], str]:
    from desk.sim import SimCluster
    from tests.sync.conftest import write_config

    async def drive() -> tuple[int, list[str], str]:
        async with SimCluster(seed=11, now=NOW, days=30) as sim:
            overrides = sim.settings_overrides()
            overrides["pools"] = {"f2main": overrides["pools"]["f2main"]}  # the pool the register knows
            config = write_config(work / "sync.toml", work / "register.sqlite", overrides)
            text = config.read_text().replace('name = "sync-bot"', 'name = "aliya"')
            config.write_text(
                text + '\n[accounts]\nwallets = ["ops"]\nexchanges = ["aix"]\n'
                'seizure_cases = ["case-17"]\n[reserve]\naccounts = ["cold"]\n'
            )
            sim.faults.set("f2main", case.fault)
            env = {**os.environ, "DESK_CONFIG": str(config), "PYTHONPATH": str(REPO)}
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "desk",
                "sync",
                "--once",
                env=env,
                cwd=REPO,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await asyncio.wait_for(process.communicate(), 120)
        events = [json.loads(line) for line in out.decode().splitlines()]
        failing = [e for e in events if e["event"] == "feed" and e["feed"] == "f2main"]
        lines = [f"{e['feed']} {e['status']}: {e['reason']}" for e in failing if e["status"] != "ok"]
        return process.returncode or 0, lines, out.decode() + err.decode()

    return asyncio.run(drive())


def feed_rows(work: Path) -> int:
    conn = sqlite3.connect(work / "register.sqlite")
    (count,) = conn.execute("SELECT COUNT(*) FROM entries WHERE source = 'pool:f2main' AND seq > 6").fetchone()
    conn.close()
    return count


def quotes_kept(work: Path) -> int:
    conn = sqlite3.connect(work / "register.sqlite")
    (count,) = conn.execute("SELECT COUNT(*) FROM quotes").fetchone()
    conn.close()
    return count


@pytest.mark.parametrize("case", TABLE, ids=[case.name for case in TABLE])
def test_every_bad_input_is_refused_with_one_line_and_nothing_written(
    case: Bad, workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fingerprint(workspace)
    if case.face == "cli":
        code, lines, everything = run_cli(case, workspace, capsys)
    elif case.face == "config":
        code, lines, everything = run_config(case, workspace, capsys, monkeypatch)
        for name in case.files:  # the secret files the case added are not the register's
            shutil.rmtree(workspace / Path(name).parts[0], ignore_errors=True)
        (workspace / "desk.toml").write_text(CONFIG + f'\n[register]\npath = "{workspace / "register.sqlite"}"\n')
        for key in case.env:
            monkeypatch.delenv(key)
    elif case.face == "form":
        code, lines, everything = run_form(case, workspace)
    else:
        code, lines, everything = run_feed(case, workspace)
    assert code == case.code, everything
    assert len(lines) == 1, lines
    assert case.needle in lines[0], lines[0]
    for secret in case.hidden:
        assert secret not in everything
    if case.face == "feed":
        assert feed_rows(workspace) == 0
        assert quotes_kept(workspace) > 0  # the other feeds were still written
    else:
        assert fingerprint(workspace) == before
    assert stderr_lines(capsys, lambda: main(["verify"]))[0] == 0

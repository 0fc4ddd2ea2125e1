"""`desk` starts with what the command needs: `--version` and `--help` import no command, no
aiohttp, no pydantic and no Textual; each command's module builds its full parser, and
`desk --help` lists every command from the catalogue alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desk.cli import build_parser, command_in, main
from desk.cli.catalogue import CATALOGUE

#: What a start without a command must not pay for.
HEAVY = ("aiohttp", "pydantic", "pydantic_settings", "textual", "textual_serve", "rich", "desk.config", "desk.register")


def imported_by(*argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -m desk ARGV` with -X importtime; the result and every module it imported."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desk", *argv], capture_output=True, text=True, check=False
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, modules


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["--config", "/nowhere/desk.toml", "--help"]])
def test_version_and_help_import_no_command(argv: list[str]) -> None:
    done, modules = imported_by(*argv)
    assert done.returncode == 0, done.stderr[-2000:]
    heavy = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY) or m.endswith("_cmds"))
    assert heavy == [], f"`desk {' '.join(argv)}` imported {heavy}"


def test_version_is_the_installed_one() -> None:
    done, _ = imported_by("--version")
    assert done.stdout.startswith("desk ") and done.stdout.split()[1][0].isdigit()


def test_help_lists_every_command_with_its_summary() -> None:
    done, _ = imported_by("--help")
    text = " ".join(done.stdout.split())  # argparse wraps long summaries
    for name, command in CATALOGUE.items():
        assert f"{name} {' '.join(command.summary.split())}" in text


def test_the_catalogue_is_what_the_command_modules_add() -> None:
    """`desk --help` from the catalogue alone reads exactly as with every command module
    loaded: the same commands, in the same order, with the same summaries."""
    assert build_parser([]).format_help() == build_parser().format_help()


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_each_command_has_its_full_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Its module gives it its real parser (the summary-only stand-in has no --help)."""
    with pytest.raises(SystemExit) as exit_:
        main([name, "--help"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: desk {name} ")


@pytest.mark.parametrize(
    ("name", "option"), [("balances", "--at"), ("value", "--days"), ("export", "--format"), ("sync", "--once")]
)
def test_a_commands_help_shows_its_options(name: str, option: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([name, "--help"])
    assert option in capsys.readouterr().out


def test_an_unknown_command_names_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["balance"])
    assert exit_.value.code == 2
    assert "invalid choice: 'balance'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["balances"], "balances"),
        (["--config", "x.toml", "balances", "--at", "2026-11-01"], "balances"),
        (["--config=x.toml", "value", "--json"], "value"),
        (["--config", "config", "verify"], "verify"),
        (["--version"], None),
        ([], None),
    ],
)
def test_the_command_is_found_before_parsing(argv: list[str], command: str | None) -> None:
    assert command_in(argv) == command


@pytest.mark.parametrize(
    "command", [["balances"], ["report", "--month", "2026-11", "--out", "{tmp}/report.md"], ["value"], ["verify"]]
)
def test_a_command_on_a_sqlite_register_loads_no_postgresql_or_http_client(command: list[str], tmp_path) -> None:
    """asyncpg is 80 ms of import and aiohttp 150 ms: a desk on a SQLite register that only
    reads it (issue 12: `desk balances` well under half a second at 1M) loads neither."""
    config = tmp_path / "desk.toml"
    config.write_text(f'[operator]\nname = "ops"\n[register]\npath = "{tmp_path / "desk.sqlite"}"\n')
    init = subprocess.run(
        [sys.executable, "-m", "desk", "--config", str(config), "init"], capture_output=True, check=False
    )
    assert init.returncode == 0, init.stderr[-2000:]
    done, modules = imported_by("--config", str(config), *(a.format(tmp=tmp_path) for a in command))
    assert done.returncode in (0, 1), done.stderr[-2000:]
    loaded = sorted(m for m in modules if m.split(".")[0] in ("asyncpg", "aiohttp", "textual"))
    assert loaded == [], f"`desk {command[0]}` imported {loaded[:5]}"

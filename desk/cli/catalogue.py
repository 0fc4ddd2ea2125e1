"""Every top-level `desk` command: the module that builds its parser and runs it, and the line
`desk --help` shows for it.

`desk --help` and `desk --version` read this table alone; `desk NAME ...` imports NAME's
module only. So a command starts with what it needs and nothing more: aiohttp, pydantic and
Textual are imported by the commands that use them, not by every command. A new command is
one line here and an `add_commands` in its module (tests/foundation/test_cli_start.py checks
the two agree).
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    module: str
    summary: str


REGISTER = "desk.cli.register_cmds"
DEMO = "desk.cli.demo_cmds"

#: In the order `desk --help` lists them.
CATALOGUE: dict[str, Command] = {
    "config": Command("desk.cli.config_cmds", "check and show the configuration"),
    "init": Command(REGISTER, "create the register and the accounts the config implies"),
    "verify": Command(REGISTER, "recompute the hash chains and name the first bad entry"),
    "checkpoint": Command(REGISTER, "print the chain head to keep off the machine"),
    "balances": Command(REGISTER, "exact balances per account and asset"),
    "transfer": Command(REGISTER, "draft a transfer for another operator to approve"),
    "approve": Command(REGISTER, "approve a pending draft (not your own)"),
    "reject": Command(REGISTER, "reject a pending draft with a reason"),
    "pending": Command(REGISTER, "list the drafts waiting for approval"),
    "log": Command(REGISTER, "the most recent entries"),
    "export": Command(REGISTER, "the whole register as CSV, an hledger journal or a beancount file"),
    "transfers": Command("desk.cli.transfers_cmds", "on-chain transfers: state, confirmations, tx id, fee, age"),
    "broadcast": Command("desk.cli.transfers_cmds", "record the tx id an approved on-chain transfer was sent as"),
    "feeds": Command("desk.cli.feeds_cmds", "the pool and price feeds"),
    "sync": Command("desk.cli.sync_cmds", "poll the feeds into the register, headless"),
    "status": Command("desk.cli.sync_cmds", "last successful sync per feed, its age, records written, health"),
    "sim": Command(DEMO, "run the simulated pools, exchanges and National Bank"),
    "demo": Command(DEMO, "run the desk on the built-in simulator (no accounts needed)"),
    "serve": Command("desk.cli.serve_cmds", "the same screen in a web browser, on this machine only unless --public"),
    "policy": Command("desk.cli.policy_cmds", "the treasury policy (roles, allowlist, limits, quorum) and its changes"),
    "compliance": Command(
        "desk.cli.compliance_cmds",
        "sell-through compliance: share of mined coins sold on eligible exchanges vs the law",
    ),
    "fee": Command(
        "desk.cli.compliance_cmds",
        "the digital-mining fee of a quarter: kWh recorded, rate, fee due and its due date",
    ),
    "seize": Command(
        "desk.cli.acquisition_cmds", "post coins handed over by an authority into the reserve (income:seized:<case>)"
    ),
    "purchase": Command("desk.cli.acquisition_cmds", "draft a purchase on an exchange for another operator to approve"),
    "report": Command("desk.cli.report_cmds", "the monthly report (Markdown, HTML with charts, or CSV)"),
    "reconcile": Command(
        "desk.cli.reconcile_cmds", "pools vs register vs chain per pool and day; breaks to the satoshi"
    ),
    "value": Command(
        "desk.cli.value_cmds",
        "the reserve's value in USD and KZT, composition, cost basis, unrealised gain, price flags",
    ),
    "reserves": Command(
        "desk.cli.reserves_cmds", "proof of reserves: each reserve address on chain against the register"
    ),
    "transparency": Command(
        "desk.cli.reserves_cmds", "write the public reserve snapshot (JSON and static HTML, read-only)"
    ),
    "hashprice": Command(
        "desk.cli.reserves_cmds", "expected BTC per PH/s per day from the network, beside what the pools paid"
    ),
    "doctor": Command("desk.cli.doctor_cmds", "check what the configured desk needs and say what to fix"),
    "migrate": Command(
        "desk.cli.migrate_cmds", "copy the register to another backend (SQLite file, PostgreSQL), chains verified"
    ),
}


def summary(name: str) -> str:
    """The line `desk --help` shows for the top-level command `name`."""
    return CATALOGUE[name].summary

"""`desk transfers` (on-chain transfers and where their lives stand) and `desk broadcast`
(an operator records the tx id a transfer was broadcast as)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from rich.table import Table

from desk.cli.common import add_command, opened, register_errors, settings_from
from desk.cli.exit_codes import ExitCode
from desk.config import DeskSettings
from desk.money import amount_text
from desk.register.transfers import IN_FLIGHT, STATES, Transfer
from desk.transfers.broadcast import record_broadcast
from desk.transfers.states import age_text


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "transfers",
        description="Approved on-chain transfers: state (approved, broadcast, confirming, replaced, settled, "
        "failed, expired), confirmations of those required, tx id, fee and age. Without --state, those in "
        "flight. Exit codes: 0 ok, 3 register could not be opened, 4 refused (an unknown state).",
    )
    p.add_argument(
        "--state",
        action="append",
        metavar="STATE",
        help=f"only transfers in this state (repeatable; `all` for every one): {', '.join(STATES)}",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per transfer, in a list")
    p.set_defaults(handler=transfers)

    p = add_command(
        subparsers,
        "broadcast",
        description="Record that an approved on-chain transfer was broadcast as TXID (from the wallet or "
        "custodian that sent it); the chain watch of `desk sync` then counts its confirmations.",
    )
    p.add_argument("draft_id", type=int, metavar="DRAFT")
    p.add_argument("--txid", required=True, help="the tx id (hex on bitcoin, 0x… on BSC, a signature on Solana)")
    p.add_argument("--fee", help="the network fee, in the transferred asset, when known (e.g. 0.000015)")
    p.set_defaults(handler=broadcast)


def _states(args: argparse.Namespace) -> set[str] | None:
    wanted = set(args.state or IN_FLIGHT)
    return None if "all" in wanted else wanted


def _json(transfer: Transfer, required: int, now: datetime) -> dict[str, Any]:
    return {
        "draft": transfer.draft_id,
        "entry": transfer.entry_seq,
        "state": transfer.state,
        "from": transfer.source,
        "to": transfer.destination,
        "chain": transfer.chain,
        "asset": transfer.amount.asset.code,
        "amount": format(transfer.amount.value, "f"),
        "txid": transfer.txid,
        "replaced": list(transfer.replaced),
        "confirmations": transfer.confirmations,
        "required": required,
        "fee": format(transfer.fee.value, "f") if transfer.fee is not None else None,
        "approved_at": transfer.approved_at.isoformat(),
        "updated_at": transfer.updated_at.isoformat() if transfer.updated_at else None,
        "age_s": int((now - transfer.approved_at).total_seconds()),
        "closing_entries": list(transfer.closing_seqs),
    }


def _table(found: list[Transfer], settings: DeskSettings, now: datetime) -> Table:
    table = Table(title=f"{len(found)} on-chain transfers")
    for column in ("draft", "state", "conf", "from → to", "amount", "tx", "fee", "age"):
        table.add_column(column, justify="right" if column in ("conf", "amount", "fee", "age") else "left")
    for t in found:
        required = settings.transfers.required(t.amount.asset.code)
        table.add_row(
            f"#{t.draft_id}",
            t.state,
            f"{t.confirmations}/{required}",
            f"{t.source} → {t.destination}",
            amount_text(t.amount),
            (t.txid[:16] + "…") if t.txid else "-",
            amount_text(t.fee, code=False) if t.fee is not None else "-",
            age_text((now - t.approved_at).total_seconds()),
        )
    return table


@register_errors("transfers")
async def transfers(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    async with opened(settings) as register:
        found = await register.transfers(_states(args))
    now = datetime.now(UTC)
    if args.json:
        rows = [_json(t, settings.transfers.required(t.amount.asset.code), now) for t in found]
        print(json.dumps(rows, indent=2))
        return ExitCode.OK
    if not found:
        print("no on-chain transfers " + ("in flight" if not args.state else f"in state {', '.join(args.state)}"))
        return ExitCode.OK
    Console(width=max(120, Console().width)).print(_table(found, settings, now))
    return ExitCode.OK


@register_errors("broadcast")
async def broadcast(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    async with opened(settings) as register:
        transfer = await record_broadcast(register, args.draft_id, args.txid, args.fee)
    print(
        f"transfer #{transfer.draft_id} is {transfer.state} as tx {transfer.txid}; "
        f"`desk sync` counts its confirmations ({settings.transfers.required(transfer.amount.asset.code)} settle it)",
        file=sys.stdout,
    )
    return ExitCode.OK

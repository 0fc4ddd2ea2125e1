"""Register commands: init, verify, checkpoint, balances, transfer, approve, reject, log, export."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from desk.cli.common import add_command, day, flag, opened, out_file, register_errors, settings_from
from desk.cli.confirming import confirmed
from desk.cli.exit_codes import ExitCode
from desk.cli.files import read_text_file
from desk.cli.progress import VerifyMeter
from desk.controls import controls_of, describe_tally
from desk.money import amount_text
from desk.operations.transfer import TransferInput, draft_transfer
from desk.private_files import private_writer
from desk.register import Checkpoint, EntryRejected, rejection_reason
from desk.register.export import FORMATS, export
from desk.register.text import shown


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(subparsers, "init")
    p.add_argument(
        "--postgres",
        action="store_true",
        help="on a register.url = postgresql://... register, also create the roles desk_writer (insert and "
        "read only: history cannot be rewritten) and desk_auditor (read only); run as the database's owner",
    )
    p.set_defaults(handler=init)

    p = add_command(
        subparsers,
        "verify",
        description="Recompute every entry's and action's hash and every balance. Prints OK, the "
        "entry count and the head hash (the digest a fund can publish), or names the first entry "
        "that no longer matches and exits 1.",
    )
    p.add_argument(
        "--against",
        metavar="CHECKPOINT",
        help="a line printed by `desk checkpoint` (or @FILE holding it): also prove nothing up to it "
        "was rewritten, reordered or truncated",
    )
    p.set_defaults(handler=verify)

    p = add_command(subparsers, "checkpoint")
    p.set_defaults(handler=checkpoint)

    p = add_command(subparsers, "balances")
    p.add_argument("--at", type=day, metavar="YYYY-MM-DD", help="as of the end of this UTC day")
    p.set_defaults(handler=balances)

    p = add_command(
        subparsers,
        "transfer",
        description="Draft a transfer (e.g. from an operational wallet into the reserve). It is "
        "posted only when a different operator runs `desk approve ID`.",
    )
    p.add_argument("--from", dest="source", required=True, metavar="ACCOUNT", help="e.g. assets:wallet:ops")
    p.add_argument("--to", dest="target", required=True, metavar="ACCOUNT", help="e.g. assets:reserve:cold")
    p.add_argument("--asset", required=True, help="e.g. BTC")
    p.add_argument("--amount", required=True, help="e.g. 1.25")
    p.add_argument("--reference", help="tx hash or order id")
    p.add_argument("--memo", default="", help="free text")
    p.set_defaults(handler=transfer)

    p = add_command(subparsers, "approve")
    p.add_argument("draft_id", type=int, metavar="ID")
    p.add_argument("--yes", action="store_true", help="do not ask (the draft is still shown in full)")
    p.set_defaults(handler=approve)

    p = add_command(subparsers, "reject")
    p.add_argument("draft_id", type=int, metavar="ID")
    p.add_argument("--reason", required=True)
    p.add_argument("--yes", action="store_true", help="do not ask (the draft is still shown in full)")
    p.set_defaults(handler=reject)

    p = add_command(subparsers, "pending")
    p.set_defaults(handler=pending)

    p = add_command(subparsers, "log")
    p.add_argument("-n", type=int, default=20, help="how many (default 20)")
    p.set_defaults(handler=log)

    p = add_command(subparsers, "export")
    p.add_argument("--format", choices=sorted(FORMATS), required=True)
    p.add_argument("--out", type=out_file, metavar="FILE", help="write here (default, or -: standard output)")
    p.set_defaults(handler=export_cmd)


@register_errors("init")
async def init(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    async with opened(settings, create=True) as register:
        new = await register.init_accounts(settings)
        print(f"register: {register.location}")
        print(f"{len(new)} new accounts" + (": " + ", ".join(new) if new else ""))
        if getattr(args, "postgres", False):
            roles = await register.create_roles()
            print(f"roles: {', '.join(roles)} (grant one to each login: GRANT desk_writer TO <login>)")
    return ExitCode.OK


@register_errors("verify")
async def verify(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    against = None
    if args.against:
        text = args.against
        if text.startswith("@"):
            text = await asyncio.to_thread(read_text_file, Path(text[1:]), "--against")
        try:
            against = Checkpoint.parse(text)
        except ValueError as exc:
            print(f"desk verify: --against: {exc}", file=sys.stderr)
            return ExitCode.REFUSED
    meter = VerifyMeter(sys.stderr)
    async with opened(settings) as register:
        result = await register.verify(against, meter.progress if sys.stderr.isatty() else None)
    meter.done(result)
    if result.ok:
        extra = f", matches checkpoint at #{against.seq}" if against else ""
        print(f"OK {result.entries} entries, {result.actions} actions, head {result.head_hash}{extra}")
        return ExitCode.OK
    for problem in result.problems:
        print(f"FAILED {problem}")
    return ExitCode.FAILED


@register_errors("checkpoint")
async def checkpoint(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        print(await register.checkpoint())
    return ExitCode.OK


@register_errors("balances")
async def balances(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        rows = await register.balances(at=args.at)
    title = f"balances at end of {args.at}" if args.at else "balances"
    table = Table(title=title)
    table.add_column("account")
    table.add_column("asset")
    table.add_column("balance", justify="right")
    for (account, asset), amount in rows.items():
        table.add_row(account, asset, amount_text(amount, code=False))
    Console(width=max(100, Console().width)).print(table)
    return ExitCode.OK


@register_errors("transfer")
async def transfer(args: argparse.Namespace) -> ExitCode:
    typed = TransferInput(args.source, args.target, args.asset, args.amount, args.reference or "", args.memo)
    settings = settings_from(args)
    async with opened(settings) as register:
        drafted = await draft_transfer(register, typed, datetime.now(UTC), settings=settings, label=flag)
    chain = drafted.chain
    print(
        f"draft #{drafted.id}: {drafted.amount} from {args.source} to {args.target}; "
        f"another operator approves with `desk approve {drafted.id}`"
        + (
            f"; on {chain} it waits in assets:transit:{chain} until "
            f"{settings.transfers.required(drafted.amount.asset.code)} confirmations settle it (`desk transfers`)"
            if chain
            else ""
        )
    )
    return ExitCode.OK


@register_errors("approve")
async def approve(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    async with opened(settings) as register:
        if not await confirmed(register, settings, args.draft_id, "approve", assume_yes=args.yes):
            print(f"draft #{args.draft_id} not approved: nothing recorded", file=sys.stderr)
            return ExitCode.FAILED
        seq = await register.approve(args.draft_id)
        if seq is None:
            tally = await controls_of(register).tally(register, await register.draft_by_id(args.draft_id))
    if seq is None:
        print(
            f"draft #{args.draft_id}: approval {len(tally.approvers)} of {tally.required} recorded "
            f"({', '.join(tally.approvers)}); {tally.remaining} more from a different checker "
            f"({', '.join(tally.rules)})"
        )
        return ExitCode.OK
    print(f"draft #{args.draft_id} approved and posted as entry #{seq}")
    return ExitCode.OK


@register_errors("reject")
async def reject(args: argparse.Namespace) -> ExitCode:
    settings = settings_from(args)
    args.reason = rejection_reason(args.reason)  # a blank reason is refused before the question
    async with opened(settings) as register:
        if not await confirmed(register, settings, args.draft_id, "reject", assume_yes=args.yes):
            print(f"draft #{args.draft_id} not rejected: nothing recorded", file=sys.stderr)
            return ExitCode.FAILED
        await register.reject(args.draft_id, args.reason)
    print(f"draft #{args.draft_id} rejected")
    return ExitCode.OK


@register_errors("pending")
async def pending(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        drafts = await register.drafts("pending")
        tallies = [await controls_of(register).tally(register, draft) for draft in drafts]
    for draft, tally in zip(drafts, tallies, strict=True):
        legs = ", ".join(f"{p.account} {p.amount}" for p in draft.entry.postings)
        print(
            f"#{draft.id} {draft.created_at:%Y-%m-%d %H:%M} by {draft.drafted_by}: {draft.entry.kind} {legs}"
            f"{' — ' + shown(draft.entry.memo) if draft.entry.memo else ''}"
        )
        print(f"    {describe_tally(tally)}")
    if not drafts:
        print("no drafts waiting")
    return ExitCode.OK


@register_errors("log")
async def log(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        entries = await register.recent(args.n)
    table = Table()
    for column in ("#", "time (UTC)", "kind", "postings", "reference", "memo"):
        table.add_column(column)
    for e in entries:
        legs = "\n".join(f"{p.account} {p.amount}" for p in e.postings)
        # as text, never markup: a memo of `[red]...` is shown as typed
        reference, memo = Text(shown(e.reference or "")[:16]), Text(shown(e.memo))
        table.add_row(str(e.seq), f"{e.ts:%Y-%m-%d %H:%M}", e.kind, legs, reference, memo)
    Console(width=max(120, Console().width)).print(table)
    return ExitCode.OK


@register_errors("export")
async def export_cmd(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        if args.out is None:
            count = await export(register, args.format, sys.stdout)
        else:
            try:
                with private_writer(args.out) as out:
                    count = await export(register, args.format, out)
            except OSError as exc:
                raise EntryRejected(f"--out: cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"exported {count} entries", file=sys.stderr)
    return ExitCode.OK

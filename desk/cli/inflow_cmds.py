"""Inflows beyond mining: `desk seize` (coins handed over by an authority) and `desk purchase`
(coins bought on an exchange).

A seizure is posted at once, without a second operator: it records a fact that has already
happened (an authority handed coins to a reserve address under a court order), not a
decision of the desk that moves the fund's money, which is what maker-checker guards. It is
still signed by the operator, chained, and carries its case reference, legal basis and
seizing authority, and the reserve's on-chain reconciliation catches a seizure that never
arrived. A purchase spends the fund's money, so it is drafted and posted only when another
operator approves it, like a conversion.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from desk.cli.common import add_command, settings_from
from desk.cli.exit_codes import ExitCode
from desk.cli.register_cmds import _errors, opened
from desk.money import Amount, MoneyError, parse_amount
from desk.register import EntryRejected, NewEntry, Posting, Register


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "seize",
        help="post coins handed over by an authority into the reserve (income:seized:<case>)",
        description="Post a seizure: coins an authority handed over, from income:seized:<case> into a "
        "reserve account, with the case reference, legal basis and seizing authority. Posted at once: it "
        "records a handover that already happened, signed and chained; reconciliation checks it arrived.",
    )
    p.add_argument("--case", required=True, metavar="NAME", help="the case's account name, e.g. case-17")
    p.add_argument("--case-ref", required=True, help="the official case reference, e.g. '2-1234/2026'")
    p.add_argument("--legal-basis", required=True, help="the order or article the coins were seized under")
    p.add_argument("--authority", required=True, help="the seizing authority")
    p.add_argument("--asset", required=True, help="e.g. BTC")
    p.add_argument("--amount", required=True, help="e.g. 1.5")
    p.add_argument("--to", dest="target", required=True, metavar="ACCOUNT", help="e.g. assets:reserve:cold")
    p.add_argument("--tx", help="the handover's transaction hash")
    p.add_argument("--at", type=_when, help="when the coins arrived (ISO date-time; default: now)")
    p.add_argument("--memo", default="", help="free text")
    p.set_defaults(handler=seize)

    p = add_command(
        subparsers,
        "purchase",
        help="draft a purchase on an exchange for another operator to approve",
        description="Draft a purchase: AMOUNT of ASSET bought on EXCHANGE at PRICE (units of the paying "
        "asset per one unit bought, as the exchange quotes it), paid from assets:exchange:<EXCHANGE>. "
        "Posted when a different operator runs `desk approve ID`.",
    )
    p.add_argument("--exchange", required=True, metavar="VENUE", help="e.g. aix (assets:exchange:aix pays)")
    p.add_argument("--order-id", required=True, help="the exchange's order id")
    p.add_argument("--asset", required=True, help="the asset bought, e.g. BTC")
    p.add_argument("--amount", required=True, help="how much was bought, e.g. 0.1")
    p.add_argument("--price", required=True, help="price per unit bought, in the paying asset, e.g. 97000")
    p.add_argument("--pay", required=True, metavar="ASSET", help="the asset paid with, e.g. USDT")
    p.add_argument("--into", metavar="ACCOUNT", help="where the bought coins land (default: the exchange account)")
    p.add_argument("--at", type=_when, help="when the order filled (ISO date-time; default: now)")
    p.add_argument("--memo", default="", help="free text")
    p.set_defaults(handler=purchase)


def _when(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date-time like 2026-11-24T10:00:00+00:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _amount(register: Register, code: str, text: str, flag: str) -> Amount:
    try:
        asset = register.asset(code.upper())
    except EntryRejected as exc:
        raise EntryRejected(f"{flag}: {exc}") from None
    try:
        amount = parse_amount(text, asset, what="--amount")
    except MoneyError as exc:
        raise EntryRejected(str(exc)) from None
    if not amount:
        raise EntryRejected("--amount: must be more than zero")
    return amount


@_errors("seize")
async def seize(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        amount = _amount(register, args.asset, args.amount, "--asset")
        if not args.target.startswith("assets:reserve:") or args.target not in register.accounts():
            reserves = [a for a in register.accounts() if a.startswith("assets:reserve:")]
            raise EntryRejected(f"--to: {args.target} is not a reserve account; known: {', '.join(reserves)}")
        source = f"income:seized:{args.case}"
        if source not in register.accounts():
            await register.add_account(source)
        entry = NewEntry(
            kind="seizure",
            ts=args.at or datetime.now(UTC),
            postings=(Posting(source, -amount), Posting(args.target, amount)),
            memo=args.memo or f"seizure, case {args.case_ref}",
            reference=args.tx,
            details={"case_reference": args.case_ref, "legal_basis": args.legal_basis, "authority": args.authority},
        )
        seq = await register.post(entry)
    print(f"entry #{seq}: seizure of {amount} under case {args.case_ref} into {args.target}")
    return ExitCode.OK


@_errors("purchase")
async def purchase(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        bought = _amount(register, args.asset, args.amount, "--asset")
        try:
            pay_asset = register.asset(args.pay.upper())
        except EntryRejected as exc:
            raise EntryRejected(f"--pay: {exc}") from None
        try:
            price = Decimal(args.price.strip())
        except InvalidOperation:
            raise EntryRejected(f"--price: {args.price!r} is not a number") from None
        if not price.is_finite() or price <= 0:
            raise EntryRejected("--price: must be a positive number")
        paid = bought.convert(price, pay_asset)
        venue = f"assets:exchange:{args.exchange}"
        into = args.into or venue
        for flag, account in (("--exchange", venue), ("--into", into)):
            if account not in register.accounts():
                raise EntryRejected(f"{flag}: no account {account}; known: {', '.join(register.accounts())}")
        entry = NewEntry(
            kind="purchase",
            ts=args.at or datetime.now(UTC),
            postings=(Posting(venue, -paid), Posting(into, bought)),
            memo=args.memo or f"purchase on {args.exchange}",
            reference=args.order_id,
            price=price,
            details={"exchange": args.exchange, "order_id": args.order_id},
        )
        draft_id = await register.draft(entry)
    print(
        f"draft #{draft_id}: buy {bought} for {paid} on {args.exchange} (order {args.order_id}); "
        f"another operator approves with `desk approve {draft_id}`"
    )
    return ExitCode.OK

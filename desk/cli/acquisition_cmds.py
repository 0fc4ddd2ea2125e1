"""Acquisitions, the coins that come in other than by mining: `desk seize` (coins handed over
by an authority, posted at once) and `desk purchase` (coins bought on an exchange, drafted for
a second operator). Why a seizure needs no second operator is explained in
desk.compliance.acquisitions."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from desk.cli.common import add_command, flag, instant, opened, register_errors, settings_from
from desk.cli.exit_codes import ExitCode
from desk.money import amount_text
from desk.operations.acquisition import (
    FIELDS,
    Kind,
    Recorded,
    acquisition_entry,
    purchase_price_warning,
    record_acquisition,
)
from desk.register import EntryRejected

#: entry field -> the flag a person typed it with, where that is not `flag(field)`
FLAGS = {"case_reference": "--case-ref"}
#: entry field -> the parsed argument holding it, where the names differ
DESTS = {"case_reference": "case_ref", "to": "target"}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "seize",
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
    p.add_argument("--at", type=instant, help="when the coins arrived (ISO date-time; default: now)")
    p.add_argument("--memo", default="", help="free text")
    p.set_defaults(handler=seize)

    p = add_command(
        subparsers,
        "purchase",
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
    p.add_argument("--at", type=instant, help="when the order filled (ISO date-time; default: now)")
    p.add_argument("--memo", default="", help="free text")
    p.set_defaults(handler=purchase)


def _flagged(exc: EntryRejected) -> EntryRejected:
    """The same refusal, naming the flag to fix."""
    field = exc.field or ""
    return EntryRejected(f"{FLAGS.get(field) or flag(field)}: {exc}", field=exc.field)


async def _record(args: argparse.Namespace, kind: Kind) -> Recorded:
    """The acquisition the flags describe, posted (a seizure) or drafted (a purchase)."""
    values = {name: getattr(args, DESTS.get(name, name)) or "" for name in FIELDS[kind]}
    settings = settings_from(args)
    async with opened(settings) as register:
        try:
            entry = acquisition_entry(register, kind, values, args.at or datetime.now(UTC))
        except EntryRejected as exc:
            raise _flagged(exc) from None
        warning = await purchase_price_warning(register, settings, entry)
        if warning is not None:  # said, not refused: the market can be thin or moving fast
            print(f"desk purchase: warning: {warning}", file=sys.stderr)
        return await record_acquisition(register, kind, entry)


@register_errors("seize")
async def seize(args: argparse.Namespace) -> ExitCode:
    recorded = await _record(args, "seizure")
    amount = amount_text(recorded.entry.postings[1].amount)
    print(f"entry #{recorded.number}: seizure of {amount} under case {args.case_ref} into {args.target}")
    return ExitCode.OK


@register_errors("purchase")
async def purchase(args: argparse.Namespace) -> ExitCode:
    recorded = await _record(args, "purchase")
    draft_id = recorded.number
    paid, bought = (amount_text(abs(p.amount)) for p in recorded.entry.postings)
    print(
        f"draft #{draft_id}: buy {bought} for {paid} on {args.exchange} (order {args.order_id}); "
        f"another operator approves with `desk approve {draft_id}`"
    )
    return ExitCode.OK

"""`desk policy`: the treasury policy in force, and changing it by maker-checker.

desk policy show [--json]                     roles, allowlist, limits, quorum in force
desk policy pending [--json]                  changes waiting for a second admin
desk policy propose allow-add --asset BTC --to assets:reserve:cold
desk policy propose limit-set --per day --currency KZT --below 500000000
desk policy propose quorum-set --currency KZT --at-least 100000000 --approvals 2
desk policy propose role-grant --operator bolat --role checker
desk policy approve ID | reject ID --reason TEXT
"""

from __future__ import annotations

import argparse
import json

from desk.cli.common import add_command, global_options, opened, register_errors, settings_from
from desk.cli.exit_codes import ExitCode
from desk.controls import ROLES, PolicyChange, controls_of, proposals
from desk.controls.policy import VALUE_CURRENCIES, WINDOWS

#: propose subcommands: (name, op, help, arguments)
CHANGES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("allow-add", "allow_add", "let an asset move to a destination (account or address)", ("asset", "to")),
    ("allow-remove", "allow_remove", "stop an asset moving to a destination", ("asset", "to")),
    ("limit-set", "limit_set", "set a limit per transfer, day or month", ("per", "unit", "below")),
    ("limit-remove", "limit_remove", "remove a limit", ("per", "unit")),
    ("quorum-set", "quorum_set", "require m distinct checkers from a threshold", ("unit", "at_least", "approvals")),
    ("quorum-remove", "quorum_remove", "remove a quorum", ("unit", "at_least")),
    ("role-grant", "role_grant", "give an operator a role", ("operator", "role")),
    ("role-revoke", "role_revoke", "take a role from an operator", ("operator", "role")),
]


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    p = add_command(
        subparsers,
        "policy",
        description="Show the policy in force, or change it: an admin proposes, a different admin "
        "approves; every step is in the chained actions log.",
    )
    sub = p.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    parent = [global_options()]

    show = sub.add_parser("show", help="the policy in force", parents=parent)
    show.add_argument("--json", action="store_true", help="as JSON")
    show.set_defaults(handler=show_policy)

    waiting = sub.add_parser("pending", help="proposed changes waiting for approval", parents=parent)
    waiting.add_argument("--json", action="store_true", help="as JSON")
    waiting.set_defaults(handler=pending)

    propose = sub.add_parser("propose", help="propose a change for another admin to approve", parents=parent)
    kinds = propose.add_subparsers(dest="change", metavar="CHANGE", required=True)
    for name, op, help_text, arguments in CHANGES:
        c = kinds.add_parser(name, help=help_text, description=help_text, parents=parent)
        _change_arguments(c, arguments)
        c.set_defaults(handler=propose_change, op=op)

    approve = sub.add_parser("approve", help="approve a proposed change (not your own)", parents=parent)
    approve.add_argument("proposal_id", type=int, metavar="ID")
    approve.set_defaults(handler=approve_change)

    reject = sub.add_parser("reject", help="reject a proposed change with a reason", parents=parent)
    reject.add_argument("proposal_id", type=int, metavar="ID")
    reject.add_argument("--reason", required=True)
    reject.set_defaults(handler=reject_change)


def _change_arguments(p: argparse.ArgumentParser, arguments: tuple[str, ...]) -> None:
    for name in arguments:
        if name == "asset":
            p.add_argument("--asset", required=True, help="e.g. BTC (codes are upper case)")
        elif name == "to":
            p.add_argument("--to", dest="destination", required=True, help="account path or address")
        elif name == "per":
            p.add_argument("--per", required=True, choices=WINDOWS)
        elif name == "unit":
            unit = p.add_mutually_exclusive_group(required=True)
            unit.add_argument("--asset", help="in this asset's units, e.g. BTC")
            unit.add_argument("--currency", choices=VALUE_CURRENCIES, help="in value")
        elif name == "below":
            p.add_argument("--below", required=True, help="the limit; reaching it is refused")
        elif name == "at_least":
            p.add_argument("--at-least", dest="at_least", required=True, help="threshold (inclusive)")
        elif name == "approvals":
            p.add_argument("--approvals", required=True, help="distinct checkers needed (2 to 9)")
        elif name == "operator":
            p.add_argument("--operator", required=True, help="login name")
        elif name == "role":
            p.add_argument("--role", required=True, choices=ROLES)


CHANGE_KEYS = ("asset", "destination", "per", "currency", "below", "at_least", "approvals", "operator", "role")


@register_errors("policy show")
async def show_policy(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        policy = await controls_of(register).policy(register)
    if args.json:
        print(json.dumps(policy.as_data(), indent=2))
        return ExitCode.OK
    for line in policy.lines():
        print(line)
    return ExitCode.OK


@register_errors("policy pending")
async def pending(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        waiting = await proposals.proposals(register, "pending")
    if args.json:
        rows = [
            {"id": p.id, "proposed_by": p.proposed_by, "created_at": p.created_at.isoformat(), **p.change.as_data()}
            for p in waiting
        ]
        print(json.dumps(rows, indent=2))
        return ExitCode.OK
    for p in waiting:
        print(f"#{p.id} {p.created_at:%Y-%m-%d %H:%M} by {p.proposed_by}: {p.change.describe()}")
    if not waiting:
        print("no policy changes waiting")
    return ExitCode.OK


@register_errors("policy propose")
async def propose_change(args: argparse.Namespace) -> ExitCode:
    change = {"op": args.op, **{k: getattr(args, k) for k in CHANGE_KEYS if getattr(args, k, None) is not None}}
    async with opened(settings_from(args)) as register:
        proposal_id = await proposals.propose(register, change)
        described = PolicyChange.parse(change, register.assets()).describe()
    print(f"policy change #{proposal_id}: {described}; another admin approves with `desk policy approve {proposal_id}`")
    return ExitCode.OK


@register_errors("policy approve")
async def approve_change(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        change = await proposals.approve(register, args.proposal_id)
    print(f"policy change #{args.proposal_id} approved and in force: {change.describe()}")
    return ExitCode.OK


@register_errors("policy reject")
async def reject_change(args: argparse.Namespace) -> ExitCode:
    async with opened(settings_from(args)) as register:
        await proposals.reject(register, args.proposal_id, args.reason)
    print(f"policy change #{args.proposal_id} rejected")
    return ExitCode.OK

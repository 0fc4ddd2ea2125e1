"""`desk doctor`: check what the configured desk needs and say what to fix (desk.doctor)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from desk.cli.common import add_command
from desk.cli.exit_codes import ExitCode
from desk.doctor import Finding, diagnose

LABELS = {"ok": "ok", "note": "note", "warn": "WARN", "fail": "FAIL", "skip": "skip"}


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    doctor = add_command(
        subparsers,
        "doctor",
        description="Check the configuration, the register (there, openable, private: mode 600), hledger "
        "(for the exports), the terminal's size and colours, and the clock against the exchanges' server "
        "time; print what each found and how to fix it. Writes nothing. Exit codes: 0 nothing failed "
        "(warnings may remain), 1 a check failed, 2 bad configuration, 3 the register cannot be opened.",
    )
    doctor.add_argument("--json", action="store_true", help="print the findings as one JSON object")
    doctor.set_defaults(handler=doctor_command)


async def doctor_command(args: argparse.Namespace) -> ExitCode:
    terminal = os.get_terminal_size(sys.stdout.fileno()) if sys.stdout.isatty() else None
    findings = await diagnose(getattr(args, "config", None), os.environ, tuple(terminal) if terminal else None)
    code = exit_code(findings)
    if args.json:
        print(json.dumps({"findings": [asdict(f) for f in findings], "exit_code": int(code)}, indent=2))
    else:
        print_findings(findings)
    return code


def exit_code(findings: list[Finding]) -> ExitCode:
    """As for every command (README): bad configuration 2, a register that cannot be opened
    3, any other failed check 1. Warnings and notes leave it 0."""
    failed = {f.check for f in findings if f.status == "fail"}
    if "config" in failed:
        return ExitCode.CONFIG
    if "register" in failed:
        return ExitCode.REGISTER
    return ExitCode.FAILED if failed else ExitCode.OK


def print_findings(findings: list[Finding]) -> None:
    width = max(len(f.check) for f in findings)
    indent = " " * (4 + 2 + width + 2)
    for finding in findings:
        first, *rest = finding.detail.splitlines() or [""]
        print(f"{LABELS[finding.status]:<4}  {finding.check:<{width}}  {first}")
        for line in rest:
            print(indent + line)
        if finding.fix:
            print(f"{indent}fix: {finding.fix}")
    failed = sum(f.status == "fail" for f in findings)
    warned = sum(f.status == "warn" for f in findings)
    if failed or warned:
        print(f"\ndesk doctor: {failed} to fix, {warned} to look at")
    else:
        print("\ndesk doctor: everything the desk needs is in order")

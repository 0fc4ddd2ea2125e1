"""Approving or rejecting a draft from the command line shows what is decided first: the
postings, their worth in KZT and dollars with the prices behind them, the rules and who
drafted it when (desk.operations.describe, as the screen's confirm step shows it).

At a terminal the command then asks, and only "y" goes on; `--yes` skips the question for a
script, and a command whose input is not a terminal (cron, a pipe) does not ask."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime

from desk.config import DeskSettings
from desk.operations.describe import describe_draft
from desk.register import Register


async def confirmed(register: Register, settings: DeskSettings, draft_id: int, verb: str, *, assume_yes: bool) -> bool:
    """Print draft `draft_id` in full; True when the person (or --yes, or no terminal) says go."""
    draft = await register.draft_by_id(draft_id)
    description = await describe_draft(register, draft, datetime.now(UTC), settings)
    print("\n".join(description.lines()), end="\n\n", flush=True)
    if assume_yes or not sys.stdin.isatty():
        return True
    answer = await asyncio.to_thread(_ask, f"{verb} draft #{draft_id}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _ask(prompt: str) -> str:
    try:
        return input(prompt)
    except EOFError:  # Ctrl+D: no
        return ""

"""Where the register's hash chain stands: the last entry of the month, the head when the
report was made, and the last checkpoint recorded in the actions log."""

from __future__ import annotations

from desk.report.context import Context
from desk.report.model import Row, Section

TITLE = "Register head and last checkpoint"
COLUMNS = ("what", "entry", "hash", "when")


async def section(ctx: Context) -> Section:
    rows = []
    last_seq = await ctx.register.last_seq_in(ctx.month.start, ctx.end)  # the chain runs in seq order
    if last_seq is not None:
        last = await ctx.register.entry(last_seq)
        rows.append(Row(("last entry dated in the period", f"#{last.seq}", last.hash, last.ts.isoformat())))
    seq, digest = await ctx.register.head()
    rows.append(Row(("register head", f"#{seq}", digest, "-")))
    checkpoints = await ctx.register.actions_named("checkpoint")
    notes = []
    if checkpoints:
        point = checkpoints[-1]
        rows.append(
            Row(
                (
                    "last checkpoint",
                    f"#{point['entry_seq']}",
                    point["detail"]["hash"],
                    f"{point['ts']} by {point['operator']}",
                )
            )
        )
    else:
        notes.append("No checkpoint recorded yet: `desk checkpoint` pins the head.")
    notes.append("`desk verify --against CHECKPOINT` proves nothing up to a checkpoint was rewritten.")
    return Section("integrity", TITLE, COLUMNS, tuple(rows), tuple(notes))

"""The approvals log of the month, from the chained actions log: drafts, approvals (final
and, under a quorum, partial), rejections and refused self-approvals, per operator, and the
same for changes to the policy."""

from __future__ import annotations

from collections import Counter

from desk.report.context import Context
from desk.report.model import Row, Section

TITLE = "Approvals log summary"
COLUMNS = ("action", "count", "by operator")
#: The maker-checker actions, in the order the report lists them.
ACTIONS = (
    ("draft", "drafts"),
    ("approval", "quorum approvals (more needed)"),
    ("approve", "approvals"),
    ("reject", "rejections"),
    ("refused_self_approval", "refused self-approvals"),
    ("policy_propose", "policy changes proposed"),
    ("policy_approve", "policy changes approved"),
    ("policy_reject", "policy changes rejected"),
    ("policy_refused_self_approval", "refused self-approvals of policy"),
)


async def section(ctx: Context) -> Section:
    rows = []
    notes: list[tuple[int, str]] = []
    for name, label in ACTIONS:
        actions = await ctx.register.actions_named(name, since=ctx.month.start, until=ctx.end)
        by = Counter(a["operator"] for a in actions)
        refs = tuple(
            f"action #{a['seq']} {a['ts'][:16]} {name} by {a['operator']}"
            + (f" (draft #{a['draft_id']})" if a["draft_id"] else "")
            + (f" -> entry #{a['entry_seq']}" if a["entry_seq"] else "")
            for a in actions
        )
        by_operator = ", ".join(f"{op} {n}" for op, n in sorted(by.items())) or "-"
        rows.append(Row((label, str(len(actions)), by_operator), refs=refs))
        for a in actions:
            when = f"action #{a['seq']} {a['ts'][:16]}: {a['operator']}"
            if name == "refused_self_approval":
                notes.append((a["seq"], f"{when} tried to approve their own draft #{a['draft_id']}"))
            elif name == "policy_refused_self_approval":
                proposal = a["detail"].get("proposal")
                notes.append((a["seq"], f"{when} tried to approve their own policy proposal #{proposal}"))
            elif name == "reject":
                notes.append((a["seq"], f"{when} rejected draft #{a['draft_id']}: {a['detail'].get('reason', '')}"))
    return Section("approvals", TITLE, COLUMNS, tuple(rows), tuple(text for _, text in sorted(notes)))

"""Proposing a policy change as typed on one line, the words of `desk policy propose`:
`limit-set per=day currency=KZT below=500000000`, `allow-add asset=BTC to=assets:reserve:cold`,
`role-grant operator=bolat role=checker`. The policy screen's `n` goes through here, so the
screen and the command line propose through desk.controls.proposals alike (validated by
PolicyChange.parse, the admin role required, a second admin to approve)."""

from __future__ import annotations

from desk.controls import PolicyChange, proposals
from desk.controls.policy import CHANGE_OPS
from desk.register import EntryRejected, Register

#: the typed names of a change's fields that differ from its own (the command line's flags)
ALIASES = {"to": "destination", "at-least": "at_least"}
#: one example per change, for the screen to show
EXAMPLES = (
    "limit-set per=day currency=KZT below=500000000",
    "quorum-set currency=KZT at-least=100000000 approvals=2",
    "allow-add asset=BTC to=assets:reserve:cold",
    "role-grant operator=bolat role=checker",
)


def parse_change(text: str) -> dict[str, str]:
    """`op key=value ...` as the data of a change; EntryRejected naming what is wrong."""
    words = text.split()
    if not words:
        raise EntryRejected("type a change, e.g. " + EXAMPLES[0], field="change")
    op = words[0].replace("-", "_")
    if op not in CHANGE_OPS:
        names = ", ".join(o.replace("_", "-") for o in CHANGE_OPS)
        raise EntryRejected(f"{words[0]!r} is not a change; one of: {names}", field="change")
    data = {"op": op}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise EntryRejected(f"{word!r}: write each field as name=value", field="change")
        data[ALIASES.get(key, key.replace("-", "_"))] = value
    return data


async def propose_change(register: Register, text: str) -> tuple[int, PolicyChange]:
    """Propose the change `text` types, for a different admin to approve; its id and change."""
    data = parse_change(text)
    change = PolicyChange.parse(data, register.assets())
    return await proposals.propose(register, data), change

"""The register's hash chains and the checkpoints that pin them.

Three chains: the entries, the actions log (drafts, decisions, amendments, valuations,
policy, checkpoints) and the kept quotes (quotes.py). A checkpoint is the head of each,
written down off the machine: a file re-chained from scratch after an edit still verifies
on its own, but no longer reaches the hashes a checkpoint holds. `desk verify` (verify.py)
recomputes all three and every table derived from them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _string
from typing import Any

from desk.register.canonical import canonical_json, chain_hash, hash_body

#: A chain's head: (position, hash); (0, GENESIS) for an empty chain.
Head = tuple[int, str]

_V1 = re.compile(r"\s*desk-checkpoint v1 seq=(\d+) hash=([0-9a-f]{64}) at=(\S+) by=(\S+)\s*")
_V2 = re.compile(
    r"\s*desk-checkpoint v2 seq=(\d+) hash=([0-9a-f]{64}) actions=(\d+):([0-9a-f]{64}) "
    r"quotes=(\d+):([0-9a-f]{64}) at=(\S+) by=(\S+)\s*"
)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The heads of the chains written down off the machine: proves nothing before them
    changed. A v1 checkpoint (before actions and quotes were pinned) holds the entries only."""

    seq: int
    head_hash: str
    at: str
    operator: str
    actions: Head | None = None
    quotes: Head | None = None

    def __str__(self) -> str:
        if self.actions is None or self.quotes is None:
            return f"desk-checkpoint v1 seq={self.seq} hash={self.head_hash} at={self.at} by={self.operator}"
        return (
            f"desk-checkpoint v2 seq={self.seq} hash={self.head_hash} "
            f"actions={self.actions[0]}:{self.actions[1]} quotes={self.quotes[0]}:{self.quotes[1]} "
            f"at={self.at} by={self.operator}"
        )

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        if match := _V2.fullmatch(text):
            return cls(
                int(match[1]),
                match[2],
                match[7],
                match[8],
                actions=(int(match[3]), match[4]),
                quotes=(int(match[5]), match[6]),
            )
        if match := _V1.fullmatch(text):
            return cls(int(match[1]), match[2], match[3], match[4])
        raise ValueError(
            "not a desk checkpoint; expected the line `desk checkpoint` printed, e.g. desk-checkpoint v2 "
            "seq=42 hash=<64 hex> actions=7:<64 hex> quotes=90:<64 hex> at=<time> by=<operator>"
        )


def action_payload(row: Sequence[Any]) -> dict[str, Any]:
    """The hashed form of an actions row (seq, ts, operator, action, draft_id, entry_seq, detail)."""
    seq, ts, operator, action, draft_id, entry_seq, detail = row[:7]
    return {
        "v": 1,
        "seq": seq,
        "ts": ts,
        "operator": operator,
        "action": action,
        "draft_id": draft_id,
        "entry_seq": entry_seq,
        "detail": json.loads(detail),
    }


def _value(value: int | None) -> str:
    return "null" if value is None else str(value)


def action_body(row: Sequence[Any]) -> str:
    """`canonical_json(action_payload(row))`, without parsing the detail back when it can be
    used as stored: desk stores details as compact JSON with sorted keys, which is their
    canonical form unless they escape a character (`\\u`), where the two spellings differ.
    A million valuation actions verify in seconds this way rather than a minute."""
    seq, ts, operator, action, draft_id, entry_seq, detail = row[:7]
    if "\\u" in detail:
        return canonical_json(action_payload(row))
    return (
        f'{{"action":{_string(action)},"detail":{detail},"draft_id":{_value(draft_id)},'
        f'"entry_seq":{_value(entry_seq)},"operator":{_string(operator)},"seq":{seq},"ts":{_string(ts)},"v":1}}'
    )


def detail_text(detail: dict[str, Any] | None) -> str:
    """How an action's detail is stored: compact JSON with sorted keys."""
    return json.dumps(detail or {}, sort_keys=True, separators=(",", ":"))


def chained_action(
    head: Head,
    *,
    ts: str,
    operator: str,
    action: str,
    detail: dict[str, Any] | None = None,
    draft_id: int | None = None,
    entry_seq: int | None = None,
) -> tuple[Any, ...]:
    """The actions row that follows `head`: (seq, ts, operator, action, draft_id, entry_seq,
    detail, prev_hash, hash). Every chained action desk writes (a decision, an amendment, a
    valuation, a policy change) is hashed here, the way verify rehashes it (`action_body`),
    so the writer and the checker cannot drift apart."""
    seq, prev = head
    row = (seq + 1, ts, operator, action, draft_id, entry_seq, detail_text(detail))
    return (*row, prev, hash_body(prev, action_body(row)))


def action_hash(row: Sequence[Any]) -> str:
    """The hash an actions row (…, detail, prev_hash, hash) should carry."""
    try:
        digest = hash_body(row[7], action_body(row))
        if digest != row[8] and "\\u" not in row[6]:
            # a detail written in another key order or spacing than desk writes: hash it the
            # long way before calling it changed
            return chain_hash(row[7], action_payload(row))
    except ValueError:  # a detail that is not JSON any more
        return ""
    return digest


def action_intact(row: Sequence[Any]) -> bool:
    """Whether an actions row (seq, ts, operator, action, draft_id, entry_seq, detail,
    prev_hash, hash) still hashes to its recorded hash."""
    return action_hash(row) == row[8]

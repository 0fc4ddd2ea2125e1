"""`desk verify`, the actions log: its hash chain, and what it says against the tables beside it.

Each draft row against its chained draft action, each approval against the entry it posted
(exactly the drafted body, by a checker other than the maker), every entry that needs
maker-checker posted by exactly one approval; amendments against the entries' current status
and reference; valuations against their chained actions; policy proposals and decisions
against what was proposed. Runs on verify.py's read-only connection.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _ascii
from typing import Any

from desk.register import drafts, proposals
from desk.register.canonical import GENESIS
from desk.register.chain import action_hash
from desk.register.verify_entries import EntryWalk
from desk.register.verify_findings import CHUNK, Findings, Progress


@dataclass(slots=True)
class ActionWalk:
    count: int = 0
    head: str = GENESIS
    bad_seq: int | None = None
    pinned: str | None = None
    #: (action seq, entry seq, detail) of each checkpoint recorded in the log
    checkpoints: list[tuple[int, int, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class Requests:
    """What the log says about drafts and policy proposals, to hold against their rows."""

    #: draft id -> (action seq, maker, body hash)
    drafted: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    decided: dict[int, int] = field(default_factory=dict)
    #: entry seq -> approve action seq
    posted_by: dict[int, int] = field(default_factory=dict)
    #: proposal id -> (action seq, proposer, change text)
    proposed: dict[int, tuple[int, str, str]] = field(default_factory=dict)
    settled: dict[int, int] = field(default_factory=dict)
    #: entry seq -> (status, reference, amend action seq), replayed from the amendments
    state: dict[int, tuple[str | None, str | None, int]] = field(default_factory=dict)
    refs: set[tuple[str, int]] = field(default_factory=set)


def walk_actions(
    conn: sqlite3.Connection, found: Findings, entries: EntryWalk, stop_at: int | None, progress: Progress | None
) -> tuple[ActionWalk, Requests]:
    walk = ActionWalk()
    seen = Requests()
    (total,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM actions").fetchone()
    valuations = _valuation_rows(conn)
    cursor = conn.execute(
        "SELECT seq, ts, operator, action, draft_id, entry_seq, detail, prev_hash, hash FROM actions ORDER BY seq"
    )
    prev, expected = GENESIS, 1
    while rows := cursor.fetchmany(CHUNK):
        for row in rows:
            if walk.bad_seq is None:
                if row[0] != expected:
                    walk.bad_seq = expected
                    found.add("actions", f"action #{expected} is missing from the actions log")
                elif row[7] != prev or action_hash(row) != row[8]:
                    walk.bad_seq = row[0]
                    found.add("actions", f"action #{row[0]} ({row[3]}) no longer matches its hash")
                else:
                    prev, expected = row[8], row[0] + 1
                    walk.count, walk.head = row[0], row[8]
                    if row[0] == stop_at:
                        walk.pinned = row[8]
            _read_action(row, found, entries, seen, walk, valuations)
        if progress is not None:
            progress("actions", rows[-1][0], total)
    for leftover in valuations:
        found.add("valuations", f"valuation row {leftover[0]} (entry #{leftover[1]}) has no chained valuation action")
    return walk, seen


def _read_action(
    row: tuple, found: Findings, entries: EntryWalk, seen: Requests, walk: ActionWalk, valuations: Iterator
) -> None:
    """Hold one action against what the log said before it and the tables beside it."""
    seq, _ts, operator, action, draft_id, entry_seq, text = row[:7]
    if action == "valuation":
        _check_valuation(row, next(valuations, None), found)
        return
    try:
        detail = json.loads(text)
    except ValueError:
        return  # the chain check above has named it
    if action == "draft":
        body, recorded = drafts.body_of(detail)
        digest = drafts.body_hash(body)
        if recorded is not None and recorded != digest:
            found.add("drafts", f"draft #{draft_id}: its chained body no longer matches the hash beside it")
        seen.drafted[draft_id] = (seq, operator, digest)
    elif action in drafts.DECISIONS:
        _check_decision(row, detail, found, entries, seen)
    elif action == "amend" and entry_seq is not None:
        before, after = detail.get("before", {}), detail.get("after", {})
        seen.state[entry_seq] = (
            after.get("status", before.get("status")),
            after.get("reference", before.get("reference")),
            seq,
        )
        if after.get("reference"):
            seen.refs.add((after["reference"].lower(), entry_seq))
    elif action == "checkpoint" and entry_seq is not None:
        walk.checkpoints.append((seq, entry_seq, detail))
    elif action == proposals.OPENED:
        change = proposals.change_text(detail.get("change", {}))
        seen.proposed[detail.get("proposal")] = (seq, operator, change)
    elif action in proposals.DECISIONS:
        _check_policy_decision(seq, operator, action, detail, found, seen)


def _check_decision(row: tuple, detail: dict[str, Any], found: Findings, entries: EntryWalk, seen: Requests) -> None:
    seq, _ts, operator, action, draft_id, entry_seq = row[:6]
    opened = seen.drafted.get(draft_id)
    if opened is None:
        found.add("approvals", f"action #{seq} ({action}) decides draft #{draft_id}, which was never drafted")
        return
    if draft_id in seen.decided:
        found.add("approvals", f"action #{seq} decides draft #{draft_id} again (action #{seen.decided[draft_id]})")
        return
    seen.decided[draft_id] = seq
    if action == "reject":
        return
    _, maker, body_digest = opened
    if operator == maker:
        found.add("approvals", f"action #{seq}: {operator} approved their own draft #{draft_id}")
    if "draft_hash" in detail and detail["draft_hash"] != body_digest:
        found.add("approvals", f"action #{seq} approved a body other than draft #{draft_id}'s")
    if entry_seq is None:
        found.add("approvals", f"action #{seq} approves draft #{draft_id} but names no entry")
        return
    if entry_seq in seen.posted_by:
        found.add("approvals", f"entry #{entry_seq} is claimed by two approvals (#{seen.posted_by[entry_seq]}, #{seq})")
    seen.posted_by[entry_seq] = seq
    if entries.bad_seq is not None and entry_seq >= entries.bad_seq:
        return  # beyond where the entries could be proven
    posted = entries.approvable.get(entry_seq)
    if posted is None:
        found.add(
            "approvals",
            f"action #{seq} approves draft #{draft_id} as entry #{entry_seq}, which is no maker-checker entry",
        )
    elif posted[0] != body_digest:
        found.add(
            "approvals",
            f"entry #{entry_seq} is not what draft #{draft_id} drafted (approved by action #{seq}): "
            "the posted amounts, accounts or text differ from the chained draft",
        )
    elif (posted[1], posted[2]) != (maker, operator):
        found.add(
            "approvals",
            f"entry #{entry_seq} is signed {posted[1]}/{posted[2]}, but draft #{draft_id} was drafted by {maker} "
            f"and approved by {operator}",
        )


def _check_policy_decision(
    seq: int, operator: str, action: str, detail: dict[str, Any], found: Findings, seen: Requests
) -> None:
    proposal = detail.get("proposal")
    opened = seen.proposed.get(proposal)
    if opened is None:
        found.add("policy", f"action #{seq} ({action}) decides policy change #{proposal}, which was never proposed")
        return
    if proposal in seen.settled:
        found.add("policy", f"action #{seq} decides policy change #{proposal} again")
        return
    seen.settled[proposal] = seq
    if action == "policy_approve":
        if operator == opened[1]:
            found.add("policy", f"action #{seq}: {operator} approved their own policy change #{proposal}")
        if proposals.change_text(detail.get("change", {})) != opened[2]:
            found.add("policy", f"action #{seq} applies a change other than the one proposed as #{proposal}")


def check_requests(conn: sqlite3.Connection, found: Findings, entries: EntryWalk, seen: Requests) -> None:
    """Rows against the log: drafts, proposals, entry state, references; and every entry
    that needs maker-checker posted by an approval."""
    rows = {i: (maker, body) for i, maker, body in conn.execute("SELECT id, drafted_by, body FROM drafts")}
    for draft_id in sorted(rows.keys() | seen.drafted.keys()):
        opened, row = seen.drafted.get(draft_id), rows.get(draft_id)
        if row is None:
            found.add(
                "drafts", f"draft #{draft_id} was deleted from the drafts table (its chained action #{opened[0]})"
            )
        elif opened is None:
            found.add("drafts", f"draft #{draft_id} has no chained draft action (it was added behind desk's back)")
        elif (row[0], drafts.body_hash(row[1])) != (opened[1], opened[2]):
            found.add(
                "drafts", f"draft #{draft_id} differs from its chained draft action #{opened[0]} (the row changed)"
            )
    for seq in sorted(entries.approvable):
        if seq not in seen.posted_by:
            found.add("approvals", f"entry #{seq} needs maker-checker but no approval posted it")
    rows = {i: (by, body) for i, by, body in conn.execute("SELECT id, proposed_by, body FROM policy_proposals")}
    for proposal in sorted(rows.keys() | seen.proposed.keys(), key=str):
        opened, row = seen.proposed.get(proposal), rows.get(proposal)
        if row is None:
            found.add(
                "policy", f"policy change #{proposal} was deleted from its table (its chained action #{opened[0]})"
            )
        elif opened is None:
            found.add("policy", f"policy change #{proposal} has no chained policy_propose action")
        elif row != (opened[1], opened[2]):
            found.add(
                "policy", f"policy change #{proposal} differs from its chained action #{opened[0]} (the row changed)"
            )
    stored = {
        seq: (status, ref, action)
        for seq, status, ref, action in conn.execute("SELECT entry_seq, status, reference, action_seq FROM entry_state")
    }
    for seq in sorted(stored.keys() | seen.state.keys()):
        if stored.get(seq) != seen.state.get(seq):
            found.add(
                "entry-state",
                f"entry #{seq}'s current status and reference are not what its amendments recorded "
                f"(stored {stored.get(seq)}, amendments {seen.state.get(seq)})",
            )
    refs = set(conn.execute("SELECT ref, entry_seq FROM refs"))
    for ref, seq in sorted(refs ^ seen.refs, key=lambda r: r[1]):
        where = "not recorded by any amendment" if (ref, seq) in refs else "missing from the reference index"
        found.add("refs", f"reference {ref!r} of entry #{seq} is {where}")


# ---------------------------------------------------------------- valuations

_VALUATION_FIELDS = (
    "entry_seq, asset, units, revision, state, cause, price, price_currency, source, source_time, usd, kzt, "
    "kzt_rate, kzt_rate_date, kzt_rate_source, reason, valued_at, action_seq"
)


def _valuation_rows(conn: sqlite3.Connection) -> Iterator[tuple]:
    cursor = conn.execute(f"SELECT id, {_VALUATION_FIELDS} FROM valuations ORDER BY id")
    while rows := cursor.fetchmany(CHUNK):
        yield from rows


def valuation_detail(v: tuple) -> str:
    """The detail text the valuation action of a valuations row (id first) recorded: the
    row's fields as compact, key-sorted JSON (`json.dumps` of `Valuation.detail()`), written
    out directly, without a call per field: a million of them are compared."""
    q = _ascii
    (_id, _entry, asset, units, revision, state, cause, price, currency, source, source_time, usd, kzt, rate,
     rate_date, rate_source, reason) = v[:17]  # fmt: skip
    return (
        f'{{"asset":{q(asset)},"cause":{q(cause)},"kzt":{"null" if kzt is None else q(kzt)},'
        f'"kzt_rate":{"null" if rate is None else q(rate)},'
        f'"kzt_rate_date":{"null" if rate_date is None else q(rate_date)},'
        f'"kzt_rate_source":{"null" if rate_source is None else q(rate_source)},'
        f'"price":{"null" if price is None else q(price)},'
        f'"price_currency":{"null" if currency is None else q(currency)},'
        f'"reason":{"null" if reason is None else q(reason)},"revision":{revision},'
        f'"source":{"null" if source is None else q(source)},'
        f'"source_time":{"null" if source_time is None else q(source_time)},"state":{q(state)},'
        f'"units":{q(units)},"usd":{"null" if usd is None else q(usd)}}}'
    )


def _check_valuation(action: tuple, row: tuple | None, found: Findings) -> None:
    seq, ts, _op, _name, _draft, entry_seq, text = action[:7]
    if row is None:
        found.add("valuations", f"the valuation recorded by action #{seq} (entry #{entry_seq}) is missing")
        return
    if row[18] != seq:
        found.add("valuations", f"valuation row {row[0]} is not the one action #{seq} recorded (rows were removed)")
        return
    if (row[1], row[17]) != (entry_seq, ts) or valuation_detail(row) != text:
        found.add("valuations", f"valuation row {row[0]} (entry #{row[1]}) differs from its chained action #{seq}")

"""The comparison itself, pure: facts in (each pool's records, the register's rows on the
pool's accounts, the register's pool balances, the chain's receipts), a report out.

Records are matched by identity, not by amount: a register entry carries the pool record's
`(source, external_id)` (see desk/sync/mapping.py), so a pool record and its entry are
compared directly and a day's figures are the sums of its records. A register entry is
counted on its pool record's day (F2Pool books a day's earning at 01:00 the next day; that
is the same earning, not a difference). Payouts are matched on chain by tx id among the
receipts of the pool's `pays_into` wallet's addresses. Each difference becomes a `Break`
classified by the rules in rules.py.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from desk.feeds.chains.records import ChainReceipt
from desk.feeds.records import Payout
from desk.money import BTC, Amount
from desk.reconcile import rules
from desk.reconcile.breaks import Break, BreakKind, Resolution
from desk.reconcile.report import DayReport, Report
from desk.reconcile.sides import PoolSide, RegisterRow
from desk.reconcile.wallets import wallet_reports
from desk.reconcile.why import carried_why, missing_why, receipt_why

#: Pools whose API names no destination per payout (desk fills in the configured user).
NO_DESTINATION = frozenset({"ocean"})


def _zero() -> Amount:
    return Amount.zero(BTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(days=1)


def days_between(since: date, until: date) -> list[date]:
    return [since + timedelta(days=i) for i in range((until - since).days + 1)]


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything `compare` needs, already read."""

    since: date
    until: date
    now: datetime
    window: timedelta
    pools: Sequence[PoolSide]
    rows: Mapping[str, Sequence[RegisterRow]]
    balances: Mapping[str, Mapping[date, Amount]]
    thresholds: Mapping[str, Amount]
    #: wallet name -> its addresses (where its pools' payouts must arrive)
    wallets: Mapping[str, Sequence[str]]
    #: receipts per address, for every bitcoin address desk knows; None: chain not read
    receipts: Mapping[str, Sequence[ChainReceipt]] | None
    #: tx ids of receipts the register already records as something (a transfer, a deposit)
    known_refs: frozenset[str] = frozenset()
    resolutions: Mapping[str, Resolution] = field(default_factory=dict)
    #: only these pools' days are reported (all pools are still read, to match receipts)
    report_pools: frozenset[str] | None = None


@dataclass(slots=True)
class _Day:
    """A day's figures in integer units (BTC): a busy window adds a hundred thousand records,
    and an Amount per addition cost most of a reconciliation."""

    earned_pool: int = 0
    earned_register: int = 0
    paid_pool: int = 0
    paid_register: int = 0
    received_chain: Amount = field(default_factory=_zero)
    breaks: list[Break] = field(default_factory=list)


class _PoolComparison:
    """The comparison of one pool: accumulates its days' figures and breaks."""

    def __init__(self, facts: Facts, pool: PoolSide, receipts_by_tx: Mapping[str, list[ChainReceipt]]) -> None:
        self.facts = facts
        self.pool = pool
        self.days: dict[date, _Day] = {d: _Day() for d in days_between(facts.since, facts.until)}
        self.rows = {r.external_id: r for r in facts.rows.get(pool.name, ()) if r.source == f"pool:{pool.name}"}
        self.receipts_by_tx = receipts_by_tx
        self.wallet_addresses = frozenset(facts.wallets.get(pool.wallet, ()))
        self.matched: set[int] = set()

    def add(
        self,
        day: date,
        kind: BreakKind,
        difference: Amount,
        key: str,
        why: str,
        *,
        expected: Amount | None = None,
        found: Amount | None = None,
        txid: str | None = None,
    ) -> None:
        if day in self.days:
            self.days[day].breaks.append(Break(self.pool.name, day, kind, difference, expected, found, key, why, txid))

    # ------------------------------------------------------------------ earnings

    def earnings(self) -> None:
        last_sync = self.pool.last_sync
        for e in self.pool.earnings:
            key = f"earning:{e.external_id}"
            row = self.rows.get(key)
            if row is not None:
                self.matched.add(row.seq)
            if e.day not in self.days:
                continue
            day = self.days[e.day]
            day.earned_pool += e.amount.units
            if row is None:
                credited = e.at or _end_of(e.day) + timedelta(hours=1)
                kind = rules.record_not_in_register(credited, last_sync, self.facts.now, self.facts.window)
                self.add(
                    e.day,
                    kind,
                    e.amount,
                    key,
                    missing_why(kind, "earning", credited),
                    expected=e.amount,
                    found=_zero(),
                )
                continue
            day.earned_register += row.income_units
            if e.amount.units != row.income_units:
                difference = e.amount - row.income
                kind = rules.amount_differs(difference, e.fees)
                self.add(
                    e.day,
                    kind,
                    difference,
                    key,
                    f"the pool credits {e.amount}, the register #{row.seq} books {row.income}",
                    expected=e.amount,
                    found=row.income,
                )

    # ------------------------------------------------------------------ payouts

    def payouts(self) -> None:
        for p in self.pool.payouts:
            key = f"payout:{p.external_id}"
            row = self.rows.get(key)
            if row is not None:
                self.matched.add(row.seq)
            day_of = p.requested_at.astimezone(UTC).date()
            if day_of not in self.days:
                continue
            day = self.days[day_of]
            day.paid_pool += p.amount.units
            if row is None:
                kind = rules.record_not_in_register(
                    p.requested_at, self.pool.last_sync, self.facts.now, self.facts.window
                )
                self.add(
                    day_of,
                    kind,
                    p.amount,
                    key,
                    missing_why(kind, "payout", p.requested_at),
                    expected=p.amount,
                    found=_zero(),
                    txid=p.tx_id,
                )
            else:
                day.paid_register += -row.delta_units if row.delta_units < 0 else 0
                if p.amount.units != row.paid.units:
                    difference = p.amount - row.paid
                    kind = rules.amount_differs(difference, p.fee)
                    self.add(
                        day_of,
                        kind,
                        difference,
                        key,
                        f"the pool paid {p.amount}, the register #{row.seq} books {row.paid}",
                        expected=p.amount,
                        found=row.paid,
                        txid=p.tx_id,
                    )
            if self.facts.receipts is not None:
                self.on_chain(p, day_of, key)

    def on_chain(self, p: Payout, day_of: date, key: str) -> None:
        expected = p.amount - p.fee
        at_wallet = [r for r in self.receipts_by_tx.get(p.tx_id or "", []) if r.address in self.wallet_addresses]
        if p.tx_id and at_wallet:
            received = sum((r.amount for r in at_wallet), _zero())
            confirmations = min(r.confirmations for r in at_wallet)
            if confirmations >= 1:
                self.days[day_of].received_chain += received
            kind = rules.receipt_differs(expected, received, p.fee, confirmations)
            if kind is None:
                return
            difference = expected if kind is BreakKind.UNCONFIRMED else expected - received
            self.add(
                day_of,
                kind,
                difference,
                key,
                receipt_why(kind, p, expected, received),
                expected=expected,
                found=received,
                txid=p.tx_id,
            )
            return
        elsewhere = sorted({r.address for r in self.receipts_by_tx.get(p.tx_id or "", [])})
        destination_ours = self.pool.kind in NO_DESTINATION or p.destination in self.wallet_addresses
        kind = rules.payout_without_receipt(
            rail=p.rail,
            tx_id=p.tx_id,
            requested_at=p.requested_at,
            now=self.facts.now,
            window=self.facts.window,
            destination_is_ours=destination_ours,
            seen_at_other_address=bool(elsewhere),
        )
        why = {
            BreakKind.LIGHTNING: "paid over Lightning: no on-chain receipt to match",
            BreakKind.TIMING: "queued at the pool, no tx yet: paid later",
            BreakKind.WRONG_ADDRESS: f"tx {p.tx_id} paid {', '.join(elsewhere)}"
            if elsewhere
            else f"the pool paid {p.destination}, which is not an address of wallet {self.pool.wallet}",
            BreakKind.MISSING_ON_CHAIN: f"no tx {p.tx_id} at the addresses of wallet {self.pool.wallet}"
            if p.tx_id
            else f"queued since {p.requested_at:%Y-%m-%d %H:%M} UTC with no tx",
        }[kind]
        self.add(day_of, kind, expected, key, why, expected=expected, found=_zero(), txid=p.tx_id)

    # ------------------------------------------------------------------ the register's own rows

    def register_only(self) -> None:
        """Register rows on the pool's accounts that no pool record accounts for. A window
        of a busy register holds tens of thousands: the day sums are added in units, once
        per day, not an Amount per row."""
        zero = _zero()
        earned: dict[date, int] = defaultdict(int)
        paid: dict[date, int] = defaultdict(int)
        for row in self.facts.rows.get(self.pool.name, ()):
            day = row.day
            if row.seq in self.matched or day not in self.days:
                continue
            delta = row.delta_units
            earned[day] += row.income_units
            paid[day] += -delta if delta < 0 else 0
            amount = row.income if row.income_units else -row.pool_delta
            if not amount:
                continue
            kind = rules.register_row_not_from_pool(f"{row.memo} {row.external_id or ''}")
            self.add(
                day,
                kind,
                -amount,
                f"entry:{row.seq}",
                f"register #{row.seq} ({row.kind}, {row.memo[:60]}) is not in the pool's records",
                expected=zero,
                found=amount,
                txid=row.reference,
            )
        for day, units in earned.items():
            self.days[day].earned_register += units
        for day, units in paid.items():
            self.days[day].paid_register += units

    # ------------------------------------------------------------------ balance carried

    def carried(self) -> None:
        threshold = self.facts.thresholds[self.pool.name]
        balances = self.facts.balances.get(self.pool.name, {})
        rows = sorted(self.facts.rows.get(self.pool.name, ()), key=lambda r: r.ts)
        for day in self.days:
            balance = balances.get(day)
            if balance is None:
                continue
            end = _end_of(day)
            kind = rules.carried_balance(
                balance=balance,
                threshold=threshold,
                after_next_payout=_after_next_payout(rows, balance, end, end + self.facts.window),
                window_elapsed=self.facts.now >= end + self.facts.window,
                pool_kind=self.pool.kind,
            )
            if kind is not None:
                self.add(
                    day,
                    kind,
                    balance,
                    "carried",
                    carried_why(kind, balance, threshold, self.pool.name),
                    expected=_zero(),
                    found=balance,
                )

    def reports(self) -> list[DayReport]:
        balances = self.facts.balances.get(self.pool.name, {})
        chain = self.facts.receipts is not None
        return [
            DayReport(
                self.pool.name,
                day,
                Amount.from_units(BTC, d.earned_pool),
                Amount.from_units(BTC, d.earned_register),
                Amount.from_units(BTC, d.paid_pool),
                Amount.from_units(BTC, d.paid_register),
                d.received_chain if chain else None,
                balances.get(day),
                tuple(d.breaks),
            )
            for day, d in self.days.items()
        ]


def _after_next_payout(rows: Sequence[RegisterRow], balance: Amount, start: datetime, end: datetime) -> Amount | None:
    """The register's pool balance right after its first payout in [start, end), rolling
    forward from `balance` at `start`; None when no payout falls in the window. `rows` are
    in time order: the window's first row is found by bisection, not by a scan per day."""
    running = balance.units
    for row in rows[bisect_left(rows, start, key=lambda r: r.ts) :]:
        if row.ts >= end:
            break
        running += row.delta_units
        if row.delta_units < 0:
            return Amount.from_units(balance.asset, running)
    return None


def _with_resolutions(day: DayReport, resolutions: Mapping[str, Resolution]) -> DayReport:
    if not resolutions or not any(b.id in resolutions for b in day.breaks):
        return day
    return replace(
        day, breaks=tuple(replace(b, resolution=resolutions.get(b.id)) if not b.explained else b for b in day.breaks)
    )


def compare(facts: Facts, problems: Iterable[str] = ()) -> Report:
    """The pure comparison of gathered facts."""
    receipts_by_tx: dict[str, list[ChainReceipt]] = defaultdict(list)
    for receipts in (facts.receipts or {}).values():
        for r in receipts:
            receipts_by_tx[r.txid].append(r)
    days: list[DayReport] = []
    payout_txids: set[str] = set()
    for pool in facts.pools:
        payout_txids.update(p.tx_id for p in pool.payouts if p.tx_id)
        if pool.error is not None or (facts.report_pools is not None and pool.name not in facts.report_pools):
            continue
        comparison = _PoolComparison(facts, pool, receipts_by_tx)
        comparison.earnings()
        comparison.payouts()
        comparison.register_only()
        comparison.carried()
        days.extend(comparison.reports())
    if facts.report_pools is None:
        days.extend(wallet_reports(facts, payout_txids, days_between(facts.since, facts.until)))
    days = [_with_resolutions(d, facts.resolutions) for d in days]
    return Report(
        facts.since,
        facts.until,
        facts.now,
        tuple(days),
        tuple(problems),
        facts.receipts is not None,
        tuple(p.name for p in facts.pools),
    )

"""The controls the register enforces on every draft, approval and rejection.

`Controls` holds the configured baseline; the effective policy is that baseline with every
approved policy change in the chained actions log applied in order, read inside the same
write transaction as the act it judges. `Controls` is the register's guard
(desk/register/guard.py): the register calls it from its write path (`post`, `draft`,
`approve`, `reject`, ...), so the CLI, the screen and any script meet the same rules, and it
reads the register through its public API only (the register never imports this package).

Which entries the rules judge: transfers and conversions (the kinds that move the fund's
money by a person's decision). Reversals still need a second operator, and count toward the
quorum, but an allowlist or a limit never blocks undoing a mistake.

Window limits count what is already posted in the window plus drafts that hold at least one
approval (a quorum in progress has claimed its share), plus the draft being judged.
A limit or quorum stated in KZT/USD needs a price: a missing price refuses a limited draft
(fail closed) and makes a quorum apply (the stricter reading).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from desk.controls.policy import Limit, Policy, PolicyChange, Quorum, baseline_from_settings, shown
from desk.money import Amount
from desk.register import Draft, NewEntry, NotPermitted, PageFilter, PolicyRefused

if TYPE_CHECKING:
    from desk.config import DeskSettings
    from desk.register import Register
    from desk.valuation.prices import PricePolicy

#: Entry kinds the allowlist and the limits judge: every decision that moves the fund's money.
CONTROLLED = ("transfer", "conversion", "purchase")

#: What each act needs; `reject` also lets a maker withdraw their own draft. `post` is a
#: person's entry that needs no second operator (a seizure, a purchase, an opening balance);
#: feeds write through `ingest`, which judges no role.
ACT_ROLES = {
    "post": "maker",
    "draft": "maker",
    "approve": "checker",
    "reject": "checker",
    "propose": "admin",
    "decide": "admin",
}


@dataclass(frozen=True, slots=True)
class Tally:
    """Where a draft stands: the rules that apply to it and the approvals it still needs."""

    rules: tuple[str, ...]
    required: int
    approvers: tuple[str, ...]

    @property
    def remaining(self) -> int:
        return max(0, self.required - len(self.approvers))


def describe_tally(tally: Tally) -> str:
    """One line for a person: the rules that apply and the approvals still needed."""
    rules = ", ".join(tally.rules) or "maker-checker"
    done = f" ({', '.join(tally.approvers)})" if tally.approvers else ""
    return f"rules: {rules} · approvals {len(tally.approvers)} of {tally.required}{done}, {tally.remaining} to go"


class Controls:
    """Judges acts on one register against the effective policy."""

    def __init__(self, baseline: Policy | None = None, prices: PricePolicy | None = None) -> None:
        self.baseline = baseline or Policy()
        #: how values are taken (staleness, the KZTE peg, the official-rate sources)
        self.prices = prices

    @classmethod
    def from_settings(cls, settings: DeskSettings) -> Controls:
        from desk.valuation.prices import PricePolicy  # valuation imports the register package

        return cls(baseline_from_settings(settings), PricePolicy.from_settings(settings))

    # ---------------------------------------------------------------- policy

    async def policy(self, register: Register) -> Policy:
        """The baseline with every approved change of the actions log applied, in log order."""
        policy = self.baseline
        for action in await register.actions_named("policy_approve"):
            policy = policy.apply(PolicyChange.parse(action["detail"]["change"], register.assets()))
        return policy

    def require(self, policy: Policy, operator: str, act: str) -> None:
        """Refuse, naming the role, unless `operator` holds the role `act` needs."""
        role = ACT_ROLES[act]
        held = policy.roles_of(operator)
        if role not in held:
            raise NotPermitted(
                f"{operator} may not {act}: that needs the {role} role, and {operator} holds {', '.join(sorted(held))}",
                role=role,
            )

    async def authorize(self, register: Register, act: str) -> None:
        """Refuse `act` by the register's operator unless their role allows it (any acting
        command outside drafts and approvals calls this, inside its write transaction)."""
        self.require(await self.policy(register), register.operator, act)

    # ---------------------------------------------------------------- the register's hooks

    async def check_draft(self, register: Register, entry: NewEntry) -> None:
        """Called inside the draft's write transaction: role, then every rule."""
        policy = await self.policy(register)
        self.require(policy, register.operator, "draft")
        await self._check_rules(register, policy, entry, draft_id=None)

    async def check_approval(self, register: Register, draft: Draft) -> Tally:
        """Called inside the approval's transaction (the maker is already refused): role,
        every rule again against today's totals, and the quorum. Returns the tally with this
        approval counted."""
        policy = await self.policy(register)
        self.require(policy, register.operator, "approve")
        await self._check_rules(register, policy, draft.entry, draft_id=draft.id)
        tally = await self._tally(register, policy, draft)
        if register.operator in tally.approvers:
            raise PolicyRefused(
                _quorum_rule(tally),
                f"{register.operator} has already approved draft #{draft.id}; the same checker counts "
                f"once, it needs {tally.remaining} more from a different checker",
            )
        return Tally(tally.rules, tally.required, (*tally.approvers, register.operator))

    async def check_reject(self, register: Register, draft: Draft) -> None:
        """A checker rejects; a maker may withdraw their own draft."""
        if draft.drafted_by == register.operator:
            return
        self.require(await self.policy(register), register.operator, "reject")

    async def tally(self, register: Register, draft: Draft) -> Tally:
        """Which rules apply to a pending draft and how many approvals it still needs."""
        return await self._tally(register, await self.policy(register), draft)

    # ---------------------------------------------------------------- rules

    async def _tally(self, register: Register, policy: Policy, draft: Draft) -> Tally:
        approvers = await register.draft_approvers(draft.id)
        required, rules = 1, []
        outflows = _outflows(draft.entry)
        if draft.entry.kind in CONTROLLED:
            rules += [f"allowlist:{asset}" for asset in outflows if asset in policy.allowlist]
            rules += [lim.rule for lim in policy.limits if lim.currency or lim.asset in outflows]
        for quorum in policy.quorums:
            if await self._reaches(register, quorum, draft.entry, outflows):
                required = max(required, quorum.approvals)
                rules.append(quorum.rule)
        return Tally(tuple(rules), required, approvers)

    async def _reaches(self, register: Register, quorum: Quorum, entry: NewEntry, outflows: Outflows) -> bool:
        if quorum.asset:
            return quorum.asset in outflows and outflows[quorum.asset][0].value >= quorum.at_least
        try:
            worth = await _worth(register, entry.ts, outflows, quorum.currency or "", quorum.rule, self.prices)
        except PolicyRefused:
            return True  # unpriced: the stricter reading
        return worth >= quorum.at_least

    async def _check_rules(self, register: Register, policy: Policy, entry: NewEntry, draft_id: int | None) -> None:
        if entry.kind not in CONTROLLED:
            return
        outflows = _outflows(entry)
        for asset, (_amount, destinations) in outflows.items():
            for account in destinations:
                if not policy.allows(asset, account):
                    listed = ", ".join(sorted(policy.allowlist[asset])) or "nothing yet"
                    raise PolicyRefused(
                        f"allowlist:{asset}", f"{account} is not an allowed {asset} destination (allowed: {listed})"
                    )
        for limit in policy.limits:
            if limit.asset and limit.asset not in outflows:
                continue
            this = await _measure(register, limit, entry.ts, outflows, self.prices)
            if limit.per == "transfer":
                if this >= limit.below:
                    raise PolicyRefused(
                        limit.rule, f"this moves {shown(this)} {limit.unit}; it must be {limit.describe()}"
                    )
                continue
            start, end = _window(limit.per, entry.ts)
            used = Decimal(0)
            for ts, other in await _claimed(register, start, end, draft_id):
                used += await _measure(register, limit, ts, other, self.prices)
            if used + this >= limit.below:
                raise PolicyRefused(
                    limit.rule,
                    f"{shown(used)} {limit.unit} already posted or approved {_window_name(limit.per, start)}, "
                    f"plus this {shown(this)} makes {shown(used + this)}; it must stay {limit.describe()}",
                )


def _quorum_rule(tally: Tally) -> str:
    return next((r for r in tally.rules if r.startswith("quorum:")), "maker-checker")


Outflows = dict[str, tuple[Amount, tuple[str, ...]]]


def _outflows(entry: NewEntry) -> Outflows:
    """Per asset given up: the amount that leaves and the accounts it goes to."""
    out: dict[str, Amount] = {}
    into: dict[str, list[str]] = defaultdict(list)
    for p in entry.postings:
        code = p.asset.code
        if p.amount.units < 0:
            out[code] = out.get(code, Amount.zero(p.asset)) - p.amount
        elif p.amount.units > 0:
            into[code].append(p.account)
    return {code: (amount, tuple(into.get(code, ()))) for code, amount in out.items()}


async def _measure(
    register: Register, limit: Limit, at: datetime, outflows: Outflows, prices: PricePolicy | None
) -> Decimal:
    if limit.asset:
        return outflows[limit.asset][0].value if limit.asset in outflows else Decimal(0)
    return await _worth(register, at, outflows, limit.currency or "", limit.rule, prices)


async def _worth(
    register: Register, at: datetime, outflows: Outflows, currency: str, rule: str, prices: PricePolicy | None
) -> Decimal:
    """The value in `currency` of everything an entry gives up, each asset at `at`."""
    from desk.valuation.prices import PriceMissing, value_of  # valuation reads the register

    total = Decimal(0)
    for code, (amount, _into) in outflows.items():
        if code == currency:
            total += amount.value
            continue
        try:
            total += (await value_of(register, amount, at, currency, policy=prices)).value
        except PriceMissing as exc:
            raise PolicyRefused(rule, f"cannot value {amount} in {currency}: {exc}") from None
    return total


def _window(per: str, ts: datetime) -> tuple[datetime, datetime]:
    ts = ts.astimezone(UTC)
    if per == "day":
        start = datetime(ts.year, ts.month, ts.day, tzinfo=UTC)
        return start, start + timedelta(days=1)
    start = datetime(ts.year, ts.month, 1, tzinfo=UTC)
    end = datetime(ts.year + ts.month // 12, ts.month % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _window_name(per: str, start: datetime) -> str:
    return f"on {start:%Y-%m-%d}" if per == "day" else f"in {start:%Y-%m}"


async def _claimed(
    register: Register, start: datetime, end: datetime, draft_id: int | None
) -> list[tuple[datetime, Outflows]]:
    """What the window already holds: posted controlled entries, and pending drafts with at
    least one approval (other than `draft_id`)."""
    claimed: list[tuple[datetime, Outflows]] = []
    for kind in CONTROLLED:
        async for posted in register.walk(PageFilter(kind=kind, since=start, until=end)):
            out = {code: (amount, ()) for code, (amount, _into) in _outflows(posted).items()}
            if out:
                claimed.append((posted.ts, out))
    for draft in await register.partly_approved_drafts(exclude=draft_id):
        entry = draft.entry
        if entry.kind in CONTROLLED and start <= entry.ts < end:
            claimed.append((entry.ts, _outflows(entry)))
    return claimed


def controls_of(register: Register) -> Controls:
    """The controls that judge `register`, for what only `Controls` answers (`policy`,
    `tally`): its guard when that is a `Controls`, else `Controls()`, which reads the policy
    the register's own log holds (what the default guard of a process that loaded this
    package judges by). `register.controls` is typed as the register's `Guard` protocol,
    which has neither, so callers come through here rather than assume the implementation."""
    guard = register.controls
    return guard if isinstance(guard, Controls) else Controls()

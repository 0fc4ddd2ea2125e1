"""The treasury policy as data: who holds which role, where each asset may go, the limits and
the quorum, and the changes that move one policy to the next.

A `Policy` is immutable. The effective policy of a register is the configured baseline with
every approved change applied in the order of the chained actions log (see `engine.py`), so
the log alone explains why a rule was in force on any day. Nothing here touches the register.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from desk.names import NAME_PATTERN
from desk.register.errors import EntryRejected

if TYPE_CHECKING:
    from desk.config import DeskSettings

ROLES = ("viewer", "maker", "checker", "admin", "auditor")
#: Roles every operator holds while no role is configured or granted (the desk's behaviour
#: before roles existed: anyone drafts, anyone else approves, anyone proposes policy).
OPEN_ROLES = frozenset({"maker", "checker", "admin"})
#: Currencies a limit or a quorum can be stated in (a value, via desk.valuation).
VALUE_CURRENCIES = ("KZT", "USD", "USDT")
WINDOWS = ("transfer", "day", "month")
WINDOW_WORDS = {"transfer": "per transfer", "day": "per UTC day", "month": "per calendar month"}
OPERATOR = re.compile(f"^{NAME_PATTERN}$")


@dataclass(frozen=True, slots=True)
class Limit:
    """What may leave per transfer, per UTC day or per calendar month: strictly below `below`.

    In `asset` units (only moves of that asset count) or, with `currency`, in value (every
    asset counts, each valued at its entry's time). Reaching the limit is refused.
    """

    per: str
    below: Decimal
    asset: str | None = None
    currency: str | None = None

    @property
    def unit(self) -> str:
        return self.asset or self.currency or ""

    @property
    def rule(self) -> str:
        return f"limit:{self.per}:{self.unit}"

    def describe(self) -> str:
        return f"below {shown(self.below)} {self.unit} {WINDOW_WORDS[self.per]}"


@dataclass(frozen=True, slots=True)
class Quorum:
    """A draft worth `at_least` or more (in `currency` value, or in `asset` units) needs
    `approvals` distinct checkers, none of them its maker."""

    at_least: Decimal
    approvals: int
    asset: str | None = None
    currency: str | None = None

    @property
    def unit(self) -> str:
        return self.asset or self.currency or ""

    @property
    def rule(self) -> str:
        return f"quorum:{self.unit}:{plain(self.at_least)}"

    def describe(self) -> str:
        return f"{self.approvals} distinct checkers from {shown(self.at_least)} {self.unit}"


@dataclass(frozen=True, slots=True)
class Policy:
    """The rules in force. An empty `roles` map means roles are not enforced yet (OPEN_ROLES
    for everyone); an asset present in `allowlist` may only move to the listed destinations
    (account paths or addresses), even when its list is empty."""

    roles: Mapping[str, frozenset[str]] = field(default_factory=dict)
    allowlist: Mapping[str, frozenset[str]] = field(default_factory=dict)
    limits: tuple[Limit, ...] = ()
    quorums: tuple[Quorum, ...] = ()
    #: Configured addresses per account, so an allowlisted address admits its account.
    addresses: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @property
    def open(self) -> bool:
        return not any(self.roles.values())

    def roles_of(self, operator: str) -> frozenset[str]:
        if self.open:
            return OPEN_ROLES
        return self.roles.get(operator, frozenset({"viewer"})) or frozenset({"viewer"})

    def allows(self, asset: str, account: str) -> bool:
        listed = self.allowlist.get(asset)
        if listed is None:
            return True
        return account in listed or bool(self.addresses.get(account, frozenset()) & listed)

    def apply(self, change: PolicyChange) -> Policy:
        """The policy after `change` (validated when it was proposed)."""
        op, a = change.op, change.args
        if op in ("allow_add", "allow_remove"):
            listed = set(self.allowlist.get(a["asset"], frozenset()))
            if op == "allow_add":
                listed.add(a["destination"])
            else:
                listed.discard(a["destination"])
            return replace(self, allowlist={**self.allowlist, a["asset"]: frozenset(listed)})
        if op in ("limit_set", "limit_remove"):
            key = (a["per"], a.get("asset"), a.get("currency"))
            kept = tuple(lim for lim in self.limits if (lim.per, lim.asset, lim.currency) != key)
            if op == "limit_set":
                kept += (Limit(a["per"], Decimal(a["below"]), a.get("asset"), a.get("currency")),)
            return replace(self, limits=kept)
        if op in ("quorum_set", "quorum_remove"):
            key2 = (Decimal(a["at_least"]), a.get("asset"), a.get("currency"))
            kept_q = tuple(q for q in self.quorums if (q.at_least, q.asset, q.currency) != key2)
            if op == "quorum_set":
                kept_q += (Quorum(Decimal(a["at_least"]), int(a["approvals"]), a.get("asset"), a.get("currency")),)
            return replace(self, quorums=kept_q)
        roles = set(self.roles.get(a["operator"], frozenset()))
        if op == "role_grant":
            roles.add(a["role"])
        else:
            roles.discard(a["role"])
        return replace(self, roles={**self.roles, a["operator"]: frozenset(roles)})

    def lines(self) -> list[str]:
        """The policy for a person, one rule a line (`desk policy show` and the screen)."""
        data = self.as_data()
        lines = ["roles:"]
        if self.open:
            lines.append("  none configured: every operator is maker, checker and admin")
        lines += [f"  {op}: {', '.join(roles)}" for op, roles in data["roles"].items()]
        lines.append("allowlist:" + ("" if data["allowlist"] else " none (every destination allowed)"))
        lines += [f"  {asset}: {', '.join(dests) or '(nothing allowed)'}" for asset, dests in data["allowlist"].items()]
        lines.append("limits:" + ("" if self.limits else " none"))
        lines += [f"  {lim.rule}: {lim.describe()}" for lim in sorted(self.limits, key=lambda x: x.rule)]
        lines.append("quorum:" + ("" if self.quorums else " none (one checker)"))
        lines += [f"  {q.rule}: {q.describe()}" for q in sorted(self.quorums, key=lambda x: x.rule)]
        return lines

    def as_data(self) -> dict[str, Any]:
        """Plain data for `desk policy show --json` and the screen."""
        return {
            "roles_enforced": not self.open,
            "roles": {op: sorted(r) for op, r in sorted(self.roles.items()) if r},
            "allowlist": {asset: sorted(d) for asset, d in sorted(self.allowlist.items())},
            "limits": [
                {"rule": lim.rule, "per": lim.per, "below": plain(lim.below), "unit": lim.unit}
                for lim in sorted(self.limits, key=lambda lim: lim.rule)
            ],
            "quorums": [
                {"rule": q.rule, "at_least": plain(q.at_least), "unit": q.unit, "approvals": q.approvals}
                for q in sorted(self.quorums, key=lambda q: q.rule)
            ],
        }


CHANGE_OPS = (
    "allow_add",
    "allow_remove",
    "limit_set",
    "limit_remove",
    "quorum_set",
    "quorum_remove",
    "role_grant",
    "role_revoke",
)


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """One proposed change: `op` and its arguments as plain strings (they are hashed into the
    actions log, so they stay JSON)."""

    op: str
    args: Mapping[str, str]

    def as_data(self) -> dict[str, str]:
        return {"op": self.op, **self.args}

    def describe(self) -> str:
        a = self.args
        unit = a.get("asset") or a.get("currency")
        return {
            "allow_add": lambda: f"allow {a.get('asset')} to {a.get('destination')}",
            "allow_remove": lambda: f"stop allowing {a.get('asset')} to {a.get('destination')}",
            "limit_set": lambda: f"limit {unit} {WINDOW_WORDS.get(a.get('per', ''), '')} below {shown(a['below'])}",
            "limit_remove": lambda: f"remove the {unit} limit {WINDOW_WORDS.get(a.get('per', ''), '')}",
            "quorum_set": lambda: f"{a.get('approvals')} checkers from {shown(a['at_least'])} {unit}",
            "quorum_remove": lambda: f"remove the quorum from {shown(a['at_least'])} {unit}",
            "role_grant": lambda: f"grant {a.get('role')} to {a.get('operator')}",
            "role_revoke": lambda: f"revoke {a.get('role')} from {a.get('operator')}",
        }[self.op]()

    @classmethod
    def parse(cls, data: Mapping[str, Any], assets: Mapping[str, Any]) -> PolicyChange:
        """Validate a change against the register's assets; EntryRejected names the bad field."""
        op = str(data.get("op", ""))
        if op not in CHANGE_OPS:
            raise EntryRejected(f"unknown policy change {op!r}; one of: {', '.join(CHANGE_OPS)}", field="op")
        args = {k: str(v) for k, v in data.items() if k != "op" and v is not None}
        if op.startswith("allow_"):
            _need(args, "asset", "destination")
            _known_asset(args["asset"], assets)
        elif op.startswith("limit_"):
            _need(args, "per")
            if args["per"] not in WINDOWS:
                raise EntryRejected(f"per: {args['per']!r} is not one of {', '.join(WINDOWS)}", field="per")
            _unit(args, assets)
            if op == "limit_set":
                _need(args, "below")
                args["below"] = plain(_positive(args["below"], "below"))
        elif op.startswith("quorum_"):
            _need(args, "at_least")
            _unit(args, assets)
            args["at_least"] = plain(_positive(args["at_least"], "at_least"))
            if op == "quorum_set":
                _need(args, "approvals")
                if not args["approvals"].isdigit() or not 2 <= int(args["approvals"]) <= 9:
                    raise EntryRejected("approvals: a whole number from 2 to 9", field="approvals")
        else:
            _need(args, "operator", "role")
            if not OPERATOR.fullmatch(args["operator"]):
                raise EntryRejected(f"operator: {args['operator']!r} is not an operator name", field="operator")
            if args["role"] not in ROLES:
                raise EntryRejected(f"role: {args['role']!r} is not one of {', '.join(ROLES)}", field="role")
        allowed = _ARGS[op]
        extra = sorted(set(args) - allowed)
        if extra:
            raise EntryRejected(f"{op} takes no {', '.join(extra)}", field=extra[0])
        return cls(op, args)


_UNIT = {"asset", "currency"}
_ARGS: dict[str, set[str]] = {
    "allow_add": {"asset", "destination"},
    "allow_remove": {"asset", "destination"},
    "limit_set": {"per", "below"} | _UNIT,
    "limit_remove": {"per"} | _UNIT,
    "quorum_set": {"at_least", "approvals"} | _UNIT,
    "quorum_remove": {"at_least"} | _UNIT,
    "role_grant": {"operator", "role"},
    "role_revoke": {"operator", "role"},
}


def _need(args: Mapping[str, str], *keys: str) -> None:
    for key in keys:
        if not args.get(key, "").strip():
            raise EntryRejected(f"{key}: required", field=key)


def _known_asset(code: str, assets: Mapping[str, Any]) -> None:
    if code not in assets:
        meant = f"; asset codes are upper case: {code.upper()}" if code.upper() in assets else ""
        raise EntryRejected(
            f"asset: {code!r} is not in the register{meant}; known: {', '.join(sorted(assets))}", field="asset"
        )


def _unit(args: dict[str, str], assets: Mapping[str, Any]) -> None:
    if ("asset" in args) == ("currency" in args):
        raise EntryRejected("give exactly one of asset (amounts) or currency (value)", field="asset")
    if "asset" in args:
        _known_asset(args["asset"], assets)
    elif args["currency"] not in VALUE_CURRENCIES:
        raise EntryRejected(
            f"currency: {args['currency']!r} is not one of {', '.join(VALUE_CURRENCIES)}", field="currency"
        )


def _positive(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.replace("_", "").replace(",", ""))
    except InvalidOperation:
        raise EntryRejected(f"{what}: {text!r} is not a number", field=what) from None
    if not value.is_finite() or value <= 0:
        raise EntryRejected(f"{what}: must be more than zero", field=what)
    return value


def shown(value: Decimal | str) -> str:
    """A Decimal for a person: thousands grouped, no trailing zeros (50,000,000 KZT, 1.5 BTC)."""
    text = format(Decimal(value), ",f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def plain(value: Decimal) -> str:
    """A Decimal written plainly: 100000000, not 1E+8."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def baseline_from_settings(settings: DeskSettings) -> Policy:
    """The configured starting point: `[roles]` and `[policy]`, plus the configured addresses."""
    conf = settings.policy
    addresses: dict[str, set[str]] = {}
    for entry in settings.addresses:
        addresses.setdefault(entry.account, set()).add(entry.address)
    return Policy(
        roles={op: frozenset(roles) for op, roles in settings.roles.items()},
        allowlist={asset: frozenset(dests) for asset, dests in conf.allowlist.items()},
        limits=tuple(Limit(lim.per, lim.below, lim.asset, lim.currency) for lim in conf.limits),
        quorums=tuple(Quorum(q.at_least, q.approvals, q.asset, q.currency) for q in conf.quorums),
        addresses={account: frozenset(a) for account, a in addresses.items()},
    )

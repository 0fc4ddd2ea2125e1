"""Errors the register raises, each worded for the operator who will read it."""

from __future__ import annotations


class RegisterError(Exception):
    """Base of every register error."""


class RegisterUnavailable(RegisterError):
    """The register file is missing, is not a desk register, or is from a newer desk."""


class EntryRejected(RegisterError):
    """An entry that may not be written; nothing was written. `field` names the culprit."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.field = field
        super().__init__(message)


class NotFound(RegisterError):
    """No entry or draft with that id."""


class IntegrityError(RegisterError):
    """The file no longer agrees with its own chained record (it was altered behind desk's
    back); nothing was written. `desk verify` names what changed."""


class SelfApproval(RegisterError):
    """The maker tried to approve their own draft (the attempt itself is recorded)."""


class RuleRefused(EntryRejected):
    """A rule forbids the act; `rule` names it (e.g. assets:reserve:out, reversal:once, funds)."""

    def __init__(self, rule: str, message: str, *, field: str = "postings") -> None:
        self.rule = rule
        super().__init__(f"refused by rule {rule}: {message}", field=field)


class PolicyRefused(RuleRefused):
    """A rule of the treasury policy forbids the act; `rule` names it (e.g. limit:day:KZT)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(rule, message, field="policy")


class NotPermitted(EntryRejected):
    """The operator's roles do not allow the act; `role` names the role it needs."""

    def __init__(self, message: str, *, role: str) -> None:
        self.role = role
        super().__init__(message, field="role")

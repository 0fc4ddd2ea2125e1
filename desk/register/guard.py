"""The seam between the register and the treasury controls that judge a person's acts.

The register calls a `Guard` from inside each write transaction of a person's act (posting,
drafting, approving, rejecting, recording an action, acknowledging a refused row; resolving
a break asks it from desk.reconcile.resolutions, inside `Register.transaction()`), so the
CLI, the screen and any script meet the same rules. desk.controls
implements it (`Controls`); the register never imports desk.controls, which is what keeps
the layers in order (controls reads prices from desk.valuation, which reads the register).

Whoever opens the register to act brings the guard (`Register.open(..., controls=...)`).
A register opened without one is judged by the default guard: the one desk.controls
installs when it is imported (`install_default`: the policy the register's own log holds,
with no configured baseline), else `OpenGuard`: the maker-checker rule the register keeps
itself (a maker never approves their own draft) and nothing more, as long as its actions log
holds no approved policy change. Once one is approved, `OpenGuard` refuses a person's act
rather than ignore a policy it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from desk.register.errors import PolicyRefused

if TYPE_CHECKING:
    from desk.register.drafts import Draft
    from desk.register.entries import NewEntry
    from desk.register.register import Register

#: The chained action that applies a policy change (desk.controls writes it).
POLICY_APPROVED = "policy_approve"


class Approvals(Protocol):
    """Where a draft stands once an approval is counted: how many it needs and who gave them."""

    @property
    def required(self) -> int: ...

    @property
    def approvers(self) -> tuple[str, ...]: ...

    @property
    def remaining(self) -> int: ...


class Guard(Protocol):
    """What the register asks before a person's act; each call raises to refuse (an
    `EntryRejected`: `NotPermitted` naming a role, `PolicyRefused` naming a rule)."""

    async def authorize(self, register: Register, act: str) -> None:
        """May the register's operator do `act` ("post", "approve", ...)?"""

    async def check_draft(self, register: Register, entry: NewEntry) -> None:
        """May the operator draft `entry`?"""

    async def check_approval(self, register: Register, draft: Draft) -> Approvals:
        """May the operator approve `draft` (not its maker: the register refuses that)? Returns
        the approvals with this one counted; the draft posts when none remain."""

    async def check_reject(self, register: Register, draft: Draft) -> None:
        """May the operator reject (or, as its maker, withdraw) `draft`?"""


@dataclass(frozen=True, slots=True)
class OneApproval:
    """Plain maker-checker: one approval by anyone but the maker posts a draft."""

    approvers: tuple[str, ...]
    required: int = 1

    @property
    def remaining(self) -> int:
        return max(0, self.required - len(self.approvers))


class OpenGuard:
    """The guard of a register opened without controls (see the module's docstring)."""

    async def authorize(self, register: Register, act: str) -> None:
        await self._no_policy(register, act)

    async def check_draft(self, register: Register, entry: NewEntry) -> None:
        await self._no_policy(register, "draft")

    async def check_approval(self, register: Register, draft: Draft) -> Approvals:
        await self._no_policy(register, "approve")
        return OneApproval((register.operator,))

    async def check_reject(self, register: Register, draft: Draft) -> None:
        if draft.drafted_by != register.operator:
            await self._no_policy(register, "reject")

    @staticmethod
    async def _no_policy(register: Register, act: str) -> None:
        if await register.first_action(POLICY_APPROVED) is not None:
            raise PolicyRefused(
                "controls",
                f"this register holds approved policy changes, and it was opened without the controls that "
                f"apply them: {act} refused (open it with `controls=Controls.from_settings(settings)`)",
            )


#: What judges a register opened without a guard (see `install_default`).
_default: Callable[[], Guard] = OpenGuard


def install_default(factory: Callable[[], Guard]) -> None:
    """Make `factory()` the guard of every register opened without one from now on (desk.controls
    installs its `Controls` when imported, so the register need not import it)."""
    global _default
    _default = factory


def default_guard() -> Guard:
    """A fresh default guard for a register opened without one."""
    return _default()

"""What every step of `desk verify` shares: the findings it reports and how it reads.

verify.py runs the steps; verify_entries.py and verify_actions.py walk the two big chains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk.register.verify import VerifyResult

#: Rows read per step (entries; postings take three times as many).
CHUNK = 20_000

#: phase ("entries", "actions", "quotes"), rows done, rows in all
Progress = Callable[[str, int, int], None]


class Findings:
    """The first offending row of each kind of mismatch, and how many more there are."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.more: dict[str, int] = defaultdict(int)

    def add(self, kind: str, message: str) -> None:
        if kind in self.first:
            self.more[kind] += 1
        else:
            self.first[kind] = message

    def into(self, result: VerifyResult) -> None:
        for kind, message in self.first.items():
            more = self.more.get(kind, 0)
            result.problems.append(message + (f" (and {more} more like it)" if more else ""))
            result.kinds.append(kind)

"""The register's methods that read a period whole (period.py: a month's inflows summed;
moves.py: a window's moves in one pass), kept apart from the facade in register.py so that each
file holds one idea and stays small."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from desk.register import period
from desk.register.moves import Move
from desk.register.moves import moves as moves_of
from desk.register.period import Credits


class PeriodMethods:
    """Mixed into `Register`: the monthly report's sums and reconciliation's window."""

    async def period_credits(
        self, since: datetime, until: datetime, *, credited: str, into: str, besides: Sequence[str] = ()
    ) -> Credits:
        """The inflows dated in [since, until) summed per credited account, asset and day,
        with their frozen valuations summed: the monthly report's totals without reading
        the month entry by entry (see period.py)."""
        return await period.credits(self, since, until, credited=credited, into=into, besides=besides)

    async def last_seq_in(self, since: datetime, until: datetime) -> int | None:
        """The highest seq among the entries dated in [since, until), or None."""
        return await period.last_seq(self, since, until)

    async def moves(self, accounts: Sequence[str], since: datetime, until: datetime) -> list[Move]:
        """Each entry dated in [since, until) that posts to one of `accounts`, with what it
        posts to each of them, in (time, seq) order, read off two indexes (see moves.py)."""
        return await moves_of(self, accounts, since, until)

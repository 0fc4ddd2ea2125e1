"""What a monthly report holds, independent of how it is rendered.

A report is a list of sections, each a small table of text cells (already formatted, so the
three renderers cannot disagree on a figure) and a list of charts. A row carries a `Trace`
per amount it shows: the figure and the register entries whose amounts sum to it exactly.
That is what `--detail` prints and what makes every figure traceable.
A section that cannot be computed says why in `unavailable` instead of showing figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from desk.money import Amount


@dataclass(frozen=True, slots=True)
class Source:
    """One register entry's contribution to a figure. `seq` is None for a carried balance
    (what an account held before the month), which the month's entries then move."""

    seq: int | None
    day: date
    kind: str
    amount: Amount
    #: what else the entry contributes to its row, e.g. its exact value at receipt
    note: str = ""

    @property
    def label(self) -> str:
        return f"#{self.seq}" if self.seq is not None else "brought forward"


@dataclass(frozen=True, slots=True)
class Trace:
    """One figure of a row (`label` names which) and the entries it is the exact sum of."""

    label: str
    figure: Amount
    sources: tuple[Source, ...]


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[str, ...]
    traces: tuple[Trace, ...] = ()
    #: for a figure that is a count, not an amount: the records counted (actions of the log)
    refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    columns: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()
    #: why the section has no figures (a module missing, no data, no price); None when it has
    unavailable: str | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A series to draw: `points` are (label, value) in order; `kind` is "bars" or "line"."""

    key: str
    title: str
    unit: str
    kind: str
    points: tuple[tuple[str, Decimal], ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Report:
    fund: str
    month: str
    start: datetime
    end: datetime
    #: when the report was made, only if the caller said so (keeps output deterministic)
    as_of: datetime | None
    sections: tuple[Section, ...]
    charts: tuple[Chart, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(f"no section {key!r}; sections: {', '.join(s.key for s in self.sections)}")

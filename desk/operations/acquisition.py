"""Recording an acquisition — coins that come in other than by mining. A seizure is posted at
once (it records a handover that already happened; desk.compliance.acquisitions says why no
second operator is asked); a purchase becomes a draft for another operator. `desk seize`,
`desk purchase` and the acquisition form all go through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from desk.compliance.acquisitions import PURCHASE_FIELDS, SEIZURE_FIELDS, purchase_entry, record_seizure, seizure_entry
from desk.register import NewEntry, Register

Kind = Literal["seizure", "purchase"]
#: the fields each kind is typed in, in the order a person fills them
FIELDS: dict[str, tuple[str, ...]] = {"seizure": SEIZURE_FIELDS, "purchase": PURCHASE_FIELDS}


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording did: a seizure's posted entry seq, or a purchase's draft id."""

    kind: Kind
    number: int
    entry: NewEntry

    @property
    def posted(self) -> bool:
        return self.kind == "seizure"


def acquisition_entry(register: Register, kind: Kind, values: Mapping[str, str], at: datetime) -> NewEntry:
    """The entry `values` describe, or EntryRejected naming the field (`field`) to fix."""
    build = seizure_entry if kind == "seizure" else purchase_entry
    return build(register, values, at)


async def record_acquisition(register: Register, kind: Kind, entry: NewEntry) -> Recorded:
    """Post a seizure (opening its case account with it) or draft a purchase."""
    if kind == "seizure":
        return Recorded(kind, await record_seizure(register, entry), entry)
    return Recorded(kind, await register.draft(entry), entry)

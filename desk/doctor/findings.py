"""What one check of `desk doctor` found, and what to do about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: ok: as it should be; note: worth knowing, nothing to do; warn: works, but something will
#: not (or not well); fail: the desk cannot work as configured; skip: could not be checked here
Status = Literal["ok", "note", "warn", "fail", "skip"]


@dataclass(frozen=True, slots=True)
class Finding:
    #: the check's name: config, register, privacy, hledger, terminal, clock
    check: str
    status: Status
    #: what was found, for a person (may span lines: one problem a line)
    detail: str
    #: the command or change that fixes it, when there is one
    fix: str | None = None

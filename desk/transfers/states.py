"""How a transfer's state reads, the same on the screen and in `desk transfers`: its state
with confirmations of those required, the amount and the two accounts, the tx and its age.
(The states themselves and what each may become are the register's: desk/register/transfers.py.)"""

from __future__ import annotations

from datetime import datetime

from desk.register.transfers import CONFIRMING, IN_FLIGHT, STATES, TERMINAL, Transfer

__all__ = ["IN_FLIGHT", "STATES", "TERMINAL", "age_text", "progress", "short_account", "summary"]


def age_text(seconds: float) -> str:  # float-ok: a duration
    """A short age: 45 s, 12 min, 3 h 05 min, 2 d 4 h."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min"
    if whole < 86_400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{whole // 86_400} d {whole % 86_400 // 3600} h"


def progress(transfer: Transfer, required: int) -> str:
    """`confirming 2/3`, `broadcast 0/3`, `settled`."""
    if transfer.state in TERMINAL:
        return transfer.state
    return f"{transfer.state} {transfer.confirmations}/{required}"


def short_account(path: str) -> str:
    """`assets:reserve:cold` → `reserve:cold` (the screen's narrow columns)."""
    return path.removeprefix("assets:")


def summary(transfer: Transfer, required: int, now: datetime) -> str:
    """One line: `#12 confirming 1/3 · 0.50000000 BTC wallet:ops → reserve:cold · tx 005d92e5… · 4 min`."""
    tx = f"tx {transfer.txid[:10]}…" if transfer.txid else "no tx yet"
    waiting = transfer.state == CONFIRMING or transfer.state in IN_FLIGHT
    since = (now - transfer.approved_at).total_seconds() if waiting else 0
    return (
        f"#{transfer.draft_id} {progress(transfer, required)} · {transfer.amount.format(code=True)} "
        f"{short_account(transfer.source)} → {short_account(transfer.destination)} · {tx} · {age_text(since)}"
    )

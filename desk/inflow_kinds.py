"""The kinds of inflow, in one place: how desk tells where coins came from.

Coins come into the fund mined (a pool's earnings, and what is swept from the wallets the
pools pay into), seized (handed over by an authority: `income:seized:<case>`) or purchased
(bought on an exchange); within the fund they move by internal transfer; an opening balance
is its own kind, and anything these rules do not recognise is `other` rather than forced
into a kind it may not deserve. The reserve's inflows (desk.proof.inflows, the
transparency snapshot) and the valuation at receipt (desk.valuation.receipt) read them here.
"""

from __future__ import annotations

from desk.register import Entry

MINED = "mined"
SEIZED = "seized"
PURCHASED = "purchased"
INTERNAL = "internal transfer"
OPENING = "opening"
OTHER = "other"
#: Every kind, in the order figures list them.
KINDS = (MINED, SEIZED, PURCHASED, INTERNAL, OPENING, OTHER)

#: Entry kinds that bring value into the fund whatever their accounts (valued at receipt);
#: any entry that credits an `income:` account does too.
RECEIPT_KINDS = frozenset({"earning", "seizure", "opening"})


def inflow_kind(entry: Entry, revenue_wallets: set[str]) -> str:
    """The kind of an entry that credits a fund account, told from the entry's kind and its
    counter-accounts (the accounts the money left); `revenue_wallets` are the wallet accounts
    pools pay into (what is swept from them was mined)."""
    counters = [p.account for p in entry.postings if p.amount.value < 0]
    if entry.kind == "seizure" or any(a.startswith("income:seized:") for a in counters):
        return SEIZED
    if entry.kind in ("purchase", "conversion") or any(a.startswith("assets:exchange:") for a in counters):
        return PURCHASED
    if entry.kind == "opening" or "equity:opening" in counters:
        return OPENING
    if any(a.startswith(("income:mining:", "assets:pool:")) or a in revenue_wallets for a in counters):
        return MINED
    if any(a.startswith(("assets:reserve:", "assets:wallet:")) for a in counters):
        return INTERNAL
    return OTHER

"""The life of an outgoing on-chain transfer, from draft to confirmed on chain, and the chain
watch that follows it and catches every movement nobody recorded.

    drafting.on_chain_entry(settings, source, destination, amount, ts, memo) -> NewEntry | None
    states.py      the states, what each may become, how they read
    matching.py    a chain movement against the transfers in flight (txid, else address and amount)
    watch.py       TransferWatch: one poll of every watched address → recorded changes, breaks, alerts
    proof.py       what transfers in flight explain of a reserve account's chain difference
"""

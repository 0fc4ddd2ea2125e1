"""Chain clients: watch-only reads of the addresses desk knows, from the chains themselves.

BTC through an Esplora API (balances, receipts, blocks for hashprice), BNB through a BNB
Smart Chain JSON-RPC node, KZTE through a Solana JSON-RPC node. Each parses its source's
shapes into the exact records of `records.py`; nothing here signs or sends anything.
"""

"""Feeds: clients for the mining pools, price sources, chains and the custodian desk talks to,
over one aiohttp session.

Every client parses its source's real JSON or XML into typed records (`records.py`) with
exact Decimal amounts; the shared behaviour of talking to a remote host — timeouts,
retries, rate limits, 429 and 418 — lives in `http.py`; each feed's health lives in
`health.py`; `feed.py` wraps a client so that a poll never raises. Nothing here knows
about SQLite or the screen.
"""

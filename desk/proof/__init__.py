"""Proof of reserves: the reserve's own addresses read from the chains, compared with the
register's reserve balances, and the public snapshot that publishes the result."""

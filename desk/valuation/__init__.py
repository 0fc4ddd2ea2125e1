"""Valuation: what the reserve and each inflow are worth in USD and KZT, with provenance."""

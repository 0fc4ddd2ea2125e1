"""Mining pool clients: one module per pool, one face (`PoolClient`) for all."""

"""Price clients: one module per source, one face (`PriceClient`) for all."""

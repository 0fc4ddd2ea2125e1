"""Valuation: what the reserve and each inflow are worth in USD and KZT, with provenance.

Public API (all async functions take an open `Register`):

    prices.value_of(register, amount, at, currency, policy=None) -> Valued   # PriceMissing if no price
    prices.PricePolicy.from_settings(settings)                              # staleness, band, KZTE peg
    receipt.value_inflows(register, policy) -> PassResult                   # incremental; the sync calls it
    receipt.revalue(register, entry_seq, policy, reason=...) -> [Valuation] # a correction: a new revision
    fifo.advance(register, policy, chunk=50_000) -> LotsPass    # FIFO lots kept in the register; the sync calls it
    fifo.totals(register, policy, at) -> ({asset: LotTotals}, {(source, asset): units})  # from the day sums
    fifo.held(register, policy, at) -> [Lot]                     # the lots one by one
    fifo.check(register, policy) -> [problem]                    # the kept lots against a replay from scratch
    worth.reserve_report(register, settings, at, with_lots=True, list_lots=False) -> ReserveReport
        # .total_usd/.total_kzt, .assets (each with its Valued price, source, age), .by_asset,
        # .by_custody, .by_source (Slices with .weight and .percent), .cost_usd/.cost_kzt,
        # .unrealised_usd/.unrealised_kzt, .lots (with list_lots), .flags (missing | stale | ...)
    worth.value_series(register, settings, days) -> [DayValue]           # for a chart of value over time

The frozen valuations at receipt live in the register (desk/register/valuations.py), and so do
the FIFO lots, continued pass by pass (desk/register/lots.py).
"""

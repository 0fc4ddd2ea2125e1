"""Valuation: what the reserve is worth now (in the reporting currency, and always in USD and
KZT), what it cost (FIFO lots) and the unrealised gain, its composition by asset, custody
and source with weights, every price with its source and age, loud flags for a missing,
stale or inconsistent price, a chart of the value over a time frame (`w`), and hashprice
with production (`h` switches USD/PH/day and sats/TH/day).

The figures are desk.valuation's (reserve_report, value_series) and
desk.mining.hashprice's; the screen reads them in workers and only lays them out.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import DataTable, Header, Sparkline

from desk.mining.hashprice import HashpriceReport
from desk.mining.live import read_hashprice
from desk.money import amount_text
from desk.tui import plotting
from desk.tui.format import fit
from desk.tui.screens.base import DeskScreen
from desk.tui.screens.figures import age_text, money_text, price_text
from desk.tui.screens.hashprice_rows import UNITS, hashprice_rows
from desk.tui.throttle import Throttle
from desk.tui.widgets.chart import Chart
from desk.tui.widgets.fit import retitle
from desk.tui.widgets.footer import DeskFooter
from desk.tui.widgets.rows import KeyedRows
from desk.valuation.frames import FRAMES, Valuation, load_valuation
from desk.valuation.worth import Slice

#: Dollars are USD from a USD market or USDT from a USDT one (at par, the cell says USDT):
#: the headings say both rather than call tether dollars.
ASSET_COLUMNS = ("asset", "amount", "USD/USDT", "KZT", "weight", "price", "age", "source")
COST_COLUMNS = ("asset", "held", "cost USD/USDT", "cost KZT", "unrealised USD/USDT", "unrealised KZT", "unknown cost")
#: flag kinds that mean a figure is wrong or incomplete (red); the rest are warnings
LOUD = ("missing", "inconsistent", "unvalued inflows")


def _money(value: Decimal | None, currency: str) -> str:
    return "MISSING" if value is None else money_text(value, currency)


def _known(value: Decimal | None, currency: str) -> str:
    """A cost or gain: `unknown` when no lot's cost is known (never a zero cost)."""
    return "unknown" if value is None else money_text(value, currency)


def _weight(part: Slice) -> str:
    return "-" if part.weight is None else f"{part.percent}%"


def _bare(value: Decimal | None, currency: str) -> str:
    """A figure without its currency code (the column says it)."""
    return _money(value, currency).removesuffix(f" {currency}")


class ValuationScreen(DeskScreen):
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "next_frame", "Frame", tooltip="Chart time frame", id="valuation.frame"),
        Binding("h", "hash_units", "Units", tooltip="Hash units", id="valuation.units"),
        Binding("g", "reload", "Reload", id="valuation.reload"),
    ]

    frame: reactive[str] = reactive("30D")
    units: reactive[str] = reactive(UNITS[0])

    def __init__(self) -> None:
        super().__init__()
        self.valuation: Valuation | None = None
        self.hashprice: HashpriceReport | None = None
        self.hashprice_error: str | None = None
        #: reads at most once a second while the register keeps changing (desk.tui.throttle)
        self.reads = Throttle(self, self._read)

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="val"):
            with Horizontal(classes="val-row"):
                yield KeyedRows(id="val-value", classes="panel")
                yield Chart(id="val-chart", classes="panel")
            yield KeyedRows(id="val-flags", classes="panel")
            yield DataTable(id="val-assets", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="val-cost", cursor_type="row", zebra_stripes=True)
            with Horizontal(classes="val-row"):
                yield KeyedRows(id="val-custody", classes="panel")
                yield KeyedRows(id="val-source", classes="panel")
            with Vertical(id="val-hash", classes="panel"):
                yield KeyedRows(id="val-hash-rows")
                yield Sparkline([], id="val-mined")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        titles = {
            "#val-value": "reserve value",
            "#val-flags": "price flags",
            "#val-assets": "by asset: value, price, source, age",
            "#val-cost": "by asset: cost (FIFO) and unrealised gain",
            "#val-custody": "by custody",
            "#val-source": "by source",
            "#val-hash": "hashprice and production",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.query_one("#val-assets", DataTable).add_columns(*ASSET_COLUMNS)
        self.query_one("#val-cost", DataTable).add_columns(*COST_COLUMNS)
        self.action_reload()
        if hasattr(type(self.app), "data_version"):
            self.watch(self.app, "data_version", lambda _v: self.read_again(), init=False)
        if hasattr(type(self.app), "currency"):
            self.watch(self.app, "currency", lambda _v: self._redraw(), init=False)

    @property
    def currency(self) -> str:
        return getattr(self.app, "currency", "KZT")

    def action_reload(self) -> None:
        self.reads.now()
        self._read_hashprice()

    def read_again(self) -> None:
        """Read the figures again: now if this screen is shown, else when it is next shown; a
        sync writing all the time gets a read a second, never a queue (desk.tui.throttle)."""
        self.reads.soon()

    def on_screen_resume(self) -> None:
        self.reads.resumed()

    def action_next_frame(self) -> None:
        names = list(FRAMES)
        self.frame = names[(names.index(self.frame) + 1) % len(names)]

    def action_hash_units(self) -> None:
        self.units = UNITS[(UNITS.index(self.units) + 1) % len(UNITS)]

    def watch_frame(self) -> None:
        if self.is_mounted:
            self.reads.now()

    def watch_units(self) -> None:
        if self.is_mounted:
            self._show_hashprice()

    @work(group="valuation")
    async def _read(self) -> None:
        """Read in the worker; the screen applies the result as a message to the chart
        (desk.tui.screens.base), dropped by Textual if the screen went meanwhile."""
        app: Any = self.app
        try:
            found = self.query("#val-chart")
            if not found:  # gone (the app closing) before a held-back read started: nothing to show
                return
            chart = found.first()
            retitle(chart, subtitle="reading …")
            valuation = await load_valuation(app.register, app.settings, app.now(), self.frame)
        finally:
            self.reads.done()
        self.deliver(chart, self._apply, valuation)

    def _apply(self, valuation: Valuation) -> None:
        self.valuation = valuation
        self._redraw()

    def _read_hashprice(self) -> None:
        self.read(self._fetch_hashprice, self._apply_hashprice, into="#val-hash", group="valuation-hashprice")

    async def _fetch_hashprice(self) -> tuple[HashpriceReport | None, str | None]:
        app: Any = self.app
        try:
            return await read_hashprice(app.settings, app.register, app.now), None
        except Exception as exc:  # no difficulty (no Esplora, nothing configured): said, not raised
            return None, str(exc)

    def _apply_hashprice(self, read: tuple[HashpriceReport | None, str | None]) -> None:
        self.hashprice, self.hashprice_error = read
        self._show_hashprice()

    def _redraw(self) -> None:
        if self.valuation is None:
            return
        self._show_value(self.valuation)
        self._show_flags(self.valuation)
        self._show_assets(self.valuation)
        self._show_slices(self.valuation)
        self._show_chart(self.valuation)

    # ------------------------------------------------------------------ value
    def total_in(self, valuation: Valuation, currency: str) -> Decimal | None:
        r = valuation.report
        if currency == "KZT":
            return r.total_kzt
        if currency == "USD":
            return r.total_usd
        return None if not valuation.btc_usd else (r.total_usd / valuation.btc_usd).quantize(Decimal(1).scaleb(-8))

    def _show_value(self, valuation: Valuation) -> None:
        r = valuation.report
        cur = self.currency
        others = [c for c in ("USD", "KZT") if c != cur]
        incomplete = " (incomplete: a price is missing)" if r.missing else ""
        loud = "-loud" if r.missing else ""
        tether = getattr(r, "total_usdt", None)
        usdt = [("usdt", f"  of the dollars, {money_text(tether, 'USDT')} are USDT at par", "-stale")] if tether else []
        # no asset with a lot of known cost: the cost basis is unknown, not a zero one
        known = any(f.cost_usd is not None for f in r.assets)
        cost_usd, cost_kzt = (r.cost_usd, r.cost_kzt) if known else (None, None)
        gain_usd, gain_kzt = (r.unrealised_usd, r.unrealised_kzt) if known else (None, None)
        unknown_cost = [f.unknown_cost for f in r.assets if f.unknown_cost is not None]
        rate = next((f.kzt for f in r.assets if f.kzt is not None and f.kzt.kzt_rate is not None), None)
        rows = [
            ("value", Text.assemble((_money(self.total_in(valuation, cur), cur), "bold"), incomplete), loud),
            ("value-other", "  " + " · ".join(_money(self.total_in(valuation, c), c) for c in others), ""),
            *usdt,
            ("cost", f"cost        {_known(cost_usd, 'USD')} · {_known(cost_kzt, 'KZT')}", ""),
            ("unrealised", f"unrealised  {_known(gain_usd, 'USD')} · {_known(gain_kzt, 'KZT')}", ""),
        ]
        if unknown_cost:
            text = "  cost unknown for " + ", ".join(amount_text(a) for a in unknown_cost)
            rows.append(("cost-unknown", text, "-stale"))
        if rate is not None and rate.kzt_rate_date is not None:
            rows.append(("rate", f"USD/KZT     {rate.kzt_rate} official, of {rate.kzt_rate_date}", ""))
        rows.append(("at", f"at {r.at:%Y-%m-%d %H:%M} UTC · weights on {r.weight_basis}", ""))
        widget = self.query_one("#val-value", KeyedRows)
        widget.show(rows)
        retitle(widget, subtitle=f"in {cur}")

    def _show_flags(self, valuation: Valuation) -> None:
        flags = valuation.report.flags
        rows = [
            (f"flag-{i}", Text(f"{f.kind.upper()} {f.message}"), "-loud" if f.kind in LOUD else "-stale")
            for i, f in enumerate(flags)
        ]
        if not rows:
            rows = [("none", "every price present, fresh and consistent", "-ok")]
        widget = self.query_one("#val-flags", KeyedRows)
        widget.show(rows)
        loud = sum(f.kind in LOUD for f in flags)
        retitle(widget, subtitle=f"{loud} loud, {len(flags) - loud} warning(s)" if flags else "clean")
        widget.set_class(bool(loud), "-loud")

    def _show_assets(self, valuation: Valuation) -> None:
        r = valuation.report
        table = self.query_one("#val-assets", DataTable)
        table.clear()
        for f, s in zip(r.assets, r.by_asset, strict=True):
            usd, kzt = f.usd, f.kzt
            stale = bool(usd and usd.stale) or bool(kzt and kzt.stale)
            missing = usd is None or kzt is None
            style = "bold red" if missing else ("yellow italic" if stale else "")
            source = "-" if usd is None else usd.source
            if usd is not None and usd.source in ("par", "peg"):
                age = ""
            else:
                age = "-" if usd is None else age_text(r.at - usd.source_time) + (" stale" if stale else "")
            price = "MISSING" if usd is None else f"{price_text(usd.price)} {usd.currency}"
            dollars = _bare(usd.value if usd else None, "USD") + (" USDT" if usd and usd.currency == "USDT" else "")
            table.add_row(
                f.asset,
                Text(amount_text(f.amount), justify="right"),
                Text(dollars, style=style, justify="right"),
                Text(_bare(kzt.value if kzt else None, "KZT"), style=style, justify="right"),
                Text(_weight(s), justify="right"),
                Text(price, style=style, justify="right"),
                Text(age, style=style),
                source,
                key=f.asset,
            )
        self._show_cost(valuation)

    def _show_cost(self, valuation: Valuation) -> None:
        """Cost and gain per asset, in a table of their own: beside the values they were cut."""
        table = self.query_one("#val-cost", DataTable)
        table.clear()
        for f in valuation.report.assets:
            table.add_row(
                f.asset,
                Text(amount_text(f.amount), justify="right"),
                *(
                    Text(_known(v, c).removesuffix(f" {c}"), justify="right")
                    for v, c in (
                        (f.cost_usd, "USD"),
                        (f.cost_kzt, "KZT"),
                        (f.unrealised_usd, "USD"),
                        (f.unrealised_kzt, "KZT"),
                    )
                ),
                Text(amount_text(f.unknown_cost) if f.unknown_cost is not None else "-", justify="right"),
                key=f.asset,
            )

    def _show_slices(self, valuation: Valuation) -> None:
        r = valuation.report
        for selector, slices in (("#val-custody", r.by_custody), ("#val-source", r.by_source)):
            head = ("head", f"{'':<14}{'weight':>8} {'USD/USDT':>13} {'KZT':>15}", "-head")
            rows = [head] + [
                (
                    f"slice-{s.label}",
                    Text(f"{fit(s.label, 14)}{_weight(s):>8} {_bare(s.usd, 'USD'):>13} {_bare(s.kzt, 'KZT'):>15}"),
                    "-loud" if s.usd is None or s.kzt is None else "",
                )
                for s in slices
            ]
            widget = self.query_one(selector, KeyedRows)
            widget.show(rows if slices else [("empty", "the reserve holds nothing", "")])
            retitle(widget, subtitle=f"weights on {r.weight_basis}")

    def _show_chart(self, valuation: Valuation) -> None:
        """Plot the value over the frame (built off the loop: desk.tui.widgets.chart)."""
        cur = self.currency
        points = valuation.points
        missing = sum(p.missing for p in points)
        stale = sum(p.stale and not p.missing for p in points)
        notes = [f"{missing} without a price (not drawn)"] * bool(missing) + [f"{stale} on a stale price"] * bool(stale)
        chart = self.query_one("#val-chart", Chart)
        values = [(p.at, p.value(cur)) for p in points]
        chart.draw(plotting.value, values, FRAMES[self.frame][1], f"reserve value in {cur}, {self.frame} (w)")
        retitle(chart, title=f"value {self.frame}", subtitle=" · ".join(notes))

    # -------------------------------------------------------------- hashprice
    def _show_hashprice(self) -> None:
        now = self.desk_app.now()
        rows = [(k, Text(t), c) for k, t, c in hashprice_rows(self.hashprice, self.hashprice_error, self.units, now)]
        self.query_one("#val-hash-rows", KeyedRows).show(rows)
        mined = self.hashprice.daily_mined if self.hashprice else []
        sparkline = self.query_one("#val-mined", Sparkline)
        sparkline.data = [float(a.value) for _d, a in mined]
        sparkline.display = bool(mined)
        retitle(self.query_one("#val-hash"), subtitle=self.units + " (h)")

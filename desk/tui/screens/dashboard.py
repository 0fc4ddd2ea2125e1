"""Dashboard: prices with their age, inflows per pool, the reserve's worth, feed health and
the latest activity, refreshed whenever the register changes.

Everything is read in one worker per refresh (the register's windowed reads and one price
snapshot); the widgets are only updated with the result, so a refresh never holds the UI.
While a sync writes, the register changes several times a second: the dashboard reads at
most once per `MIN_REFRESH_S`, only while it is the screen on show (once more when it comes
back), and shows its panels a frame each, so no single frame paints them all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Header, Sparkline, Static

from desk.compliance import ComplianceError, ComplianceSnapshot, compliance_snapshot
from desk.money import ONE_BTC as _ONE_BTC
from desk.money import Amount, amount_cell
from desk.register import Entry
from desk.tui import plotting
from desk.tui.format import RECENT, fit, header_text, row_text
from desk.tui.screens.base import DeskScreen
from desk.tui.screens.figures import Figures, Shown, age_text, price_text
from desk.tui.throttle import Throttle
from desk.tui.ticks import legend
from desk.tui.widgets.chart import Chart
from desk.tui.widgets.compliance_panel import CompliancePanel
from desk.tui.widgets.fit import retitle, update_text
from desk.tui.widgets.footer import DeskFooter
from desk.tui.widgets.rows import KeyedRows
from desk.tui.widgets.transfers_panel import InFlight, TransfersPanel, read_transfers

#: Chart time frames: (label, length, hourly buckets).
FRAMES: dict[str, tuple[timedelta, bool]] = {
    "1D": (timedelta(days=1), True),
    "7D": (timedelta(days=7), False),
    "30D": (timedelta(days=30), False),
    "1Y": (timedelta(days=365), False),
}
INCOME = "income:mining:"
#: Seconds between two reads of a dashboard that the register keeps changing under.
MIN_REFRESH_S = 1.0  # float-ok: a duration


@dataclass(frozen=True, slots=True)
class Inflows:
    """One pool's inflows: totals for today / 7 d / 30 d and a series over the time frame."""

    pool: str
    totals: tuple[list[Amount], list[Amount], list[Amount]]
    series: list[Decimal]


@dataclass(frozen=True, slots=True)
class DashboardRead:
    """One refresh's worth of reads, shown panel by panel."""

    now: datetime
    figures: Figures
    reserve: list[Amount]
    inflows: list[Inflows]
    recent: list[Entry]
    count: int
    compliance: ComplianceSnapshot | str | None
    transfers: InFlight


def buckets(now: datetime, frame: str) -> list[datetime]:
    """The starts of the frame's buckets, oldest first, the last one holding `now`."""
    length, hourly = FRAMES[frame]
    step = timedelta(hours=1) if hourly else timedelta(days=1)
    last = now.replace(minute=0, second=0, microsecond=0)
    if not hourly:
        last = last.replace(hour=0)
    count = int(length / step)
    return [last - step * (count - 1 - i) for i in range(count)]


class DashboardScreen(DeskScreen):
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "refresh_now", "Refresh", id="dashboard.refresh"),
        Binding("w", "next_frame", "Frame", tooltip="Chart time frame", id="dashboard.frame"),
    ]

    frame: reactive[str] = reactive("30D")

    def __init__(self) -> None:
        super().__init__()
        #: reads at most once per MIN_REFRESH_S while the register keeps changing (desk.tui.throttle)
        self.reads = Throttle(self, self._read, interval=MIN_REFRESH_S)
        self._charted: tuple[object, ...] = ()
        #: (data_version, date) the sell-through panel was last read for: it is read again only
        #: when the register changed or the day moved on, not on every two-second refresh
        self._compliance_read: tuple[int, object] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dash"):
            with Horizontal(classes="dash-row", id="dash-top"):
                yield KeyedRows(id="dash-prices", classes="panel")
                with Vertical(id="dash-top-right"):
                    yield KeyedRows(id="dash-reserve", classes="panel")
                    yield CompliancePanel(id="dash-compliance")
                    yield TransfersPanel(id="dash-transfers")
            with Horizontal(classes="dash-row", id="dash-mid"):
                with Vertical(id="dash-inflows", classes="panel"):
                    yield Static("", id="inflows-head")
                    yield Vertical(id="inflows-pools")
                yield Chart(id="dash-chart", classes="panel")
            with Horizontal(classes="dash-row", id="dash-bottom"):
                yield KeyedRows(id="dash-feeds", classes="panel")
                yield Static("recent …", id="dash-recent", classes="panel")
        yield DeskFooter(compact=True)

    def on_mount(self) -> None:
        titles = {
            "#dash-prices": "prices",
            "#dash-reserve": "reserve",
            "#dash-feeds": "feeds",
            "#dash-inflows": "inflows: pool earnings",
            "#dash-recent": "latest activity",
        }
        for selector, title in titles.items():
            self.query_one(selector).border_title = title
        self.refresh_now()
        self.set_interval(2.0, self.refresh_soon)  # float-ok: a duration
        self.watch(self.app, "data_version", lambda _v: self.refresh_soon(), init=False)
        self.watch(self.app, "currency", lambda _v: self.refresh_now(), init=False)
        self.watch(self.app, "feeds", lambda _v: self._show_feeds(), init=False)

    def watch_frame(self) -> None:
        if self.is_mounted:
            self.refresh_now()

    def action_refresh_now(self) -> None:
        self.refresh_now()

    def refresh_now(self) -> None:
        """Read and redraw now (a key the operator pressed); see desk.tui.throttle."""
        self.reads.now()

    def refresh_soon(self) -> None:
        """Refresh for a change nobody asked to see at once (the register moved, the clock
        ticked); see desk.tui.throttle."""
        self.reads.soon()

    def on_screen_resume(self) -> None:
        self.reads.resumed()

    def action_next_frame(self) -> None:
        names = list(FRAMES)
        self.frame = names[(names.index(self.frame) + 1) % len(names)]

    @property
    def currency(self) -> str:
        return getattr(self.app, "currency", "KZT")

    @work(group="dashboard")
    async def _read(self) -> None:
        """Read everything in one worker, then hand each panel its part as a message of its
        own, a frame each (desk.tui.screens.base): a panel gone by then (the app closing)
        drops its part."""
        panels = [(found.first(), show) for selector, show in self._panels() if (found := self.query(selector))]
        try:
            read = await self._fetch()
        finally:
            self.reads.done()
        self.deliver_in_turn(panels, read)

    def _panels(self) -> list[tuple[str, Callable[[DashboardRead], Awaitable[None] | None]]]:
        return [
            ("#dash-prices", lambda r: self._show_prices(r.figures)),
            ("#dash-reserve", lambda r: self._show_reserve(r.figures, r.reserve)),
            ("#dash-feeds", lambda _r: self._show_feeds()),
            ("#dash-inflows", lambda r: self._show_inflows(r.figures, r.inflows)),
            ("#dash-chart", lambda r: self._show_chart(r.now, r.inflows)),
            ("#dash-recent", self._show_recent),
            ("#dash-compliance", self._show_compliance),
            ("#dash-transfers", lambda r: self.query_one(TransfersPanel).show(r.transfers)),
        ]

    async def _fetch(self) -> DashboardRead:
        reg = self.register
        now: datetime = self.desk_app.now()
        settings = self.desk_app.settings
        balances = await reg.balances()
        reserve = [amt for (acct, _a), amt in balances.items() if acct.startswith("assets:reserve:")]
        figures = await Figures.load(reg, settings, now, {a.asset.code for a in reserve})
        inflows = await self._inflows(reg, now)
        recent = await reg.recent(12)
        count = await reg.count()
        return DashboardRead(
            now,
            figures,
            reserve,
            inflows,
            recent,
            count,
            await self._compliance(reg, now),
            await read_transfers(reg, settings, now),
        )

    def _show_recent(self, read: DashboardRead) -> None:
        lines = [f"{read.count} entries", header_text(RECENT), *(row_text(e, RECENT) for e in read.recent)]
        # its height is the screen's (1fr), not its text's: no layout pass needed
        self.query_one("#dash-recent", Static).update("\n".join(lines), layout=False)

    async def _compliance(self, reg: Any, now: datetime) -> ComplianceSnapshot | str | None:
        """The sell-through standing of the current period (a problem's text when it cannot be
        computed), read again only when the register changed or the day moved on (None)."""
        key = (self.desk_app.data_version, now.date())
        if key == self._compliance_read:
            return None
        self._compliance_read = key
        try:
            return await compliance_snapshot(reg, self.desk_app.settings, now=now)
        except ComplianceError as exc:
            return str(exc)

    async def _show_compliance(self, read: DashboardRead) -> None:
        panel = self.query_one("#dash-compliance", CompliancePanel)
        if isinstance(read.compliance, str):
            await panel.show_problem(read.compliance)
        elif read.compliance is not None:
            await panel.show(read.compliance)

    async def _inflows(self, reg: Any, now: datetime) -> list[Inflows]:
        """Per pool: today / 7 d / 30 d from the daily table, and the frame's series."""
        today = now.replace(hour=0, minute=0, second=0, microsecond=0)
        tomorrow = today + timedelta(days=1)
        month = await reg.flows(INCOME, today - timedelta(days=29), tomorrow)
        starts = buckets(now, self.frame)
        hourly = FRAMES[self.frame][1]
        if self.frame == "30D":
            series_rows = month
        else:
            end = starts[-1] + (timedelta(hours=1) if hourly else timedelta(days=1))
            series_rows = await reg.flows(INCOME, starts[0], end, hourly=hourly)
        pools = sorted(a[len(INCOME) :] for a in reg.accounts() if a.startswith(INCOME))
        result = []
        for pool in pools:
            account = INCOME + pool
            windows: list[list[Amount]] = []
            for days in (1, 7, 30):
                since = today - timedelta(days=days - 1)
                sums: dict[str, Amount] = {}
                for acct, start, amount in month:
                    if acct == account and start >= since:
                        code = amount.asset.code
                        sums[code] = sums[code] - amount if code in sums else -amount
                windows.append(list(sums.values()))
            per_bucket = dict.fromkeys(starts, Decimal(0))
            for acct, start, amount in series_rows:
                if acct == account and start in per_bucket:
                    per_bucket[start] -= amount.value
            result.append(Inflows(pool, (windows[0], windows[1], windows[2]), list(per_bucket.values())))
        return result

    def _show_prices(self, figures: Figures) -> None:
        rows = []
        usdt = {q.quote.base: q.quote.price for q in figures.prices() if q.quote.quote == "USDT"}
        for line in figures.prices():
            q = line.quote
            cross = ""
            if q.quote == "USD" and q.base in usdt:
                diff = (q.price / usdt[q.base] - 1) * 100
                cross = f" {diff:+.2f}%"
            flag = " stale" if line.stale else ""
            pair = f"{q.base}/{q.quote}"
            # the age before the source: "binance:1h 48m" read as an age of 1h 48m
            text = f"{pair:<9}{price_text(q.price):>10}{cross:>7} {age_text(line.age):>4} {fit(q.source, 10)}{flag}"
            rows.append((f"{q.base}-{q.quote}-{q.source}", text, "-stale" if line.stale else ""))
        if not rows:
            rows.append(("none", "no prices yet", "-stale"))
        self.query_one("#dash-prices", KeyedRows).show(rows)

    def _show_reserve(self, figures: Figures, reserve: list[Amount]) -> None:
        cur = self.currency
        by_asset: dict[str, Amount] = {}
        for amount in reserve:
            code = amount.asset.code
            by_asset[code] = by_asset[code] + amount if code in by_asset else amount
        total = figures.total(list(by_asset.values()), "USD")
        rows = []
        for code, amount in sorted(by_asset.items()):
            shown = figures.value(amount, cur)
            share = ""
            usd = figures.value(amount, "USD").value
            if usd is not None and total.value:
                share = f"{usd / total.value * 100:.0f}%"
            age = age_text(figures.at - shown.as_of) if shown.as_of else ""
            text = f"{amount_cell(amount, 24)} {shown.text:>22} {share:>4} {age:>4}"
            rows.append((f"asset-{code}", text, _stale(shown)))
        if not rows:
            rows.append(("empty", "the reserve holds nothing yet", ""))
        kzt = figures.total(list(by_asset.values()), "KZT")
        rows.append(("total-usd", f"{'total':<24} {total.text:>22}", _stale(total)))
        rows.append(("total-kzt", f"{'':<24} {kzt.text:>22}", _stale(kzt)))
        if cur == "BTC":
            btc = figures.total(list(by_asset.values()), "BTC")
            rows.append(("total-btc", f"{'':<24} {btc.text:>22}", _stale(btc)))
        widget = self.query_one("#dash-reserve", KeyedRows)
        widget.show(rows)
        retitle(widget, subtitle=figures.provenance(figures.value(_ONE_BTC, cur if cur != "BTC" else "USD")))

    def _show_feeds(self) -> None:
        feeds = getattr(self.app, "feeds", ()) or ()
        now: datetime = self.desk_app.now()
        rows = [(f"feed-{f.name}", feed_line(f, now), f"-{f.state}") for f in feeds]
        if not rows:
            rows.append(("none", "no feeds running (the desk reads the register only)", "-waiting"))
        self.query_one("#dash-feeds", KeyedRows).show(rows)

    def _show_inflows(self, figures: Figures, inflows: list[Inflows]) -> None:
        cur = self.currency
        head = self.query_one("#inflows-head", Static)
        if not str(head.content):
            # what the pools credited (earnings), not payouts nor transfers: the heading says so
            head.update(f"{'pool':<8}{'earned today':>13}{'7 d':>13}{'30 d':>13}")
        box = self.query_one("#inflows-pools", Vertical)
        for item in inflows:
            row_id = f"pool-{item.pool}"
            cells = [figures.total(w, cur) for w in item.totals]
            text = f"{item.pool:<8}" + "".join(f"{_short(c):>{w}}" for c, w in zip(cells, (13, 13, 13), strict=True))
            data = [float(v) for v in item.series]
            found = box.query(f"#{row_id}")
            if found:
                row = found.first(PoolRow)
                update_text(row.line, text)
                row.spark.data = data
            else:
                box.mount(PoolRow(Static(text), Sparkline(data), id=row_id, classes="pool-row"))
        one = figures.value(_ONE_BTC, cur)
        retitle(
            self.query_one("#dash-inflows"),
            subtitle=f"in {cur}" + (f" at {figures.provenance(one)}" if one.as_of else ""),
        )

    def _show_chart(self, now: datetime, inflows: list[Inflows]) -> None:
        """Redraw the chart only when its series or frame changed (desk.tui.widgets.chart
        builds it off the loop, and again by itself at a new size)."""
        series = {i.pool: i.series for i in inflows}
        key = (self.frame, buckets(now, self.frame)[-1], tuple((pool, tuple(s)) for pool, s in series.items()))
        if key == self._charted:
            return
        self._charted = key
        chart = self.query_one(Chart)
        chart.draw(plotting.inflows, buckets(now, self.frame), FRAMES[self.frame][1], self.frame, series)
        retitle(chart, title=f"inflows {self.frame}", subtitle=legend(list(series)))


class PoolRow(Vertical):
    """A pool's inflows line and its sparkline, kept at hand: the next read may come before
    they are mounted, when a query for them finds nothing yet."""

    def __init__(self, line: Static, spark: Sparkline, *, id: str, classes: str) -> None:
        super().__init__(line, spark, id=id, classes=classes)
        self.line = line
        self.spark = spark


def _short(shown: Shown) -> str:
    text = shown.text.rsplit(" ", 1)[0] if shown.value is not None else "n/a"
    return text + ("!" if shown.stale and shown.value is not None else "")


def _stale(shown: Shown) -> str:
    return "-stale" if shown.stale else ""


def feed_line(feed: Any, now: datetime) -> str:
    """`name state age · reason · retry in N` for one FeedState."""
    parts = [f"{feed.name:<11}{feed.state:<9}"]
    parts.append(f"ok {age_text(now - feed.last_ok)} ago" if feed.last_ok else "never ok")
    if feed.retry_at is not None and feed.retry_at > now:
        parts.append(f"retry in {age_text(feed.retry_at - now)}")
    if feed.reason:
        parts.append(feed.reason)
    return " · ".join(parts)

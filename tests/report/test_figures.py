"""Every figure is the exact sum of the entries `--detail` lists, and the figures are right
against the seed computed by hand and against the register's own balances."""

from __future__ import annotations

from decimal import Decimal

from desk.config import DeskSettings
from desk.money import BTC, Amount
from desk.register import Register
from desk.report import Month, Report, build_report, render
from tests.report.seed import AS_OF, NOV, f2_amount, ocean_amount

NOVEMBER = Month.parse("2026-11")


async def _report(settings: DeskSettings) -> Report:
    async with Register.open(settings.register.path, operator="auditor") as reg:
        return await build_report(reg, settings, NOVEMBER, as_of=AS_OF)


def _cells(report: Report, key: str) -> list[tuple[str, ...]]:
    return [row.cells for row in report.section(key).rows]


async def test_every_figure_is_the_sum_of_its_entries(seeded: DeskSettings) -> None:
    report = await _report(seeded)
    traced = 0
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        for section in report.sections:
            for row in section.rows:
                for trace in row.traces:
                    total = Amount.zero(trace.figure.asset)
                    for source in trace.sources:
                        total = total + source.amount
                        if source.seq is None:  # a balance brought forward
                            continue
                        entry = await reg.entry(source.seq)
                        assert entry.ts.date() == source.day
                        if source.kind.startswith("lot"):  # a FIFO lot (or part of one) the entry acquired
                            assert any(p.asset == source.amount.asset for p in entry.postings)
                        else:  # the entry carries that very amount
                            assert entry.kind == source.kind
                            assert any(abs(p.amount) == abs(source.amount) for p in entry.postings)
                    assert total == trace.figure, (section.key, row.cells, trace.label)
                    traced += 1
    assert traced >= 10


async def test_figures_match_the_seed_by_hand(seeded: DeskSettings) -> None:
    report = await _report(seeded)
    f2 = sum((f2_amount(d) for d in NOV), Decimal(0))
    ocean = sum((ocean_amount(d) for d in NOV), Decimal(0))
    assert (f2, ocean) == (Decimal("0.381"), Decimal("0.246"))
    inflows = {(c[0], c[1]): c for c in _cells(report, "inflows")}
    assert inflows[("mined", "f2main")][4] == "0.38100000 BTC"
    assert inflows[("mined", "ocean")][4] == "0.24600000 BTC"
    assert inflows[("seized", "case-17")][4] == "0.50000000 BTC"
    assert inflows[("purchased", "aix")][4] == "0.01000000 BTC"
    # 0.5 BTC seized on Thursday 12 Nov at 94,000 + 125 x (ordinal % 30) USD, times that day's NBK rate
    seized_usd = Decimal("0.5") * (94000 + 125 * (NOV[11].toordinal() % 30))
    assert inflows[("seized", "case-17")][5] == f"{seized_usd:,.2f} USD"
    ratio = _cells(report, "ratio")[0]
    assert ratio == ("BTC", "0.62700000 BTC", "0.04000000 BTC", "6.38 %")  # 0.04 / 0.627
    transfers = _cells(report, "transfers")
    assert transfers[0][2:7] == ("assets:wallet:ops", "assets:reserve:cold", "0.15000000 BTC", "aliya", "bek")
    approvals = {c[0]: c[1:] for c in _cells(report, "approvals")}
    assert approvals["drafts"] == ("5", "aliya 3, bek 2")
    assert approvals["approvals"] == ("4", "aliya 2, bek 2")
    assert approvals["rejections"] == ("1", "bek 1")
    assert approvals["refused self-approvals"] == ("1", "aliya 1")


async def test_reserve_balance_equals_the_register(seeded: DeskSettings) -> None:
    report = await _report(seeded)
    row = report.section("reserve").rows[0]
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        held = await reg.balance("assets:reserve:cold", "BTC", at=NOVEMBER.end)
        head = await reg.head()
    assert held == Amount(BTC, "10.65") == row.traces[0].figure  # 10 brought forward + 0.5 seized + 0.15
    assert row.traces[0].sources[0].seq is None  # the brought-forward balance is named as such
    integrity = {c[0]: c for c in _cells(report, "integrity")}
    assert integrity["register head"][1:3] == (f"#{head[0]}", head[1])
    assert integrity["last checkpoint"][2] == head[1]


async def test_detail_lists_what_the_plain_report_omits(seeded: DeskSettings) -> None:
    report = await _report(seeded)
    plain, detailed = render(report, "md"), render(report, "md", detail=True)
    assert "#2 2026-11-01 earning 0.01260000 BTC" in detailed
    assert "earning 0.01260000 BTC" not in plain
    assert detailed.startswith(plain.split("\n## ")[0])


async def test_a_missing_price_is_said_never_zero(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.report.seed import earning, seeded_settings

    settings = seeded_settings(tmp_path)
    async with Register.open(settings.register.path, operator="aliya", create=True) as reg:
        await reg.init_accounts(settings)
        await reg.ingest([earning("f2main", NOV[3], Decimal("0.0125"))])
        report = await build_report(reg, settings, NOVEMBER)
    row = _cells(report, "inflows")[0]
    assert row[5] == row[6] == "price missing for 1 of 1 entries"
    assert "0.00" not in row[5]
    notes = report.section("inflows").notes
    assert any(n.startswith("1 inflow(s) have no price at receipt") and "no BTC/USD" in n for n in notes)
    assert report.section("reserve").unavailable == "the reserve held nothing at the end of the month"


async def test_an_empty_month_says_so(seeded: DeskSettings) -> None:
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        report = await build_report(reg, seeded, Month.parse("2026-09"))
    assert report.section("inflows").unavailable == "no inflows recorded in this month"
    assert report.section("transfers").unavailable == "no transfer into the reserve in this month"
    text = render(report, "md")
    assert "Not available: nothing was mined in this month." in text


async def test_html_is_self_contained(seeded: DeskSettings) -> None:
    html = render(await _report(seeded), "html", detail=True)
    assert html.count("<svg") == 2 and html.count("<rect") == 30  # one bar per day of November
    assert "<polyline" in html
    for banned in ("<script", " src=", " href=", "@import", "url("):
        assert banned not in html
    import re
    import xml.etree.ElementTree as ET

    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):  # each chart is well-formed SVG
        root = ET.fromstring(svg)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


async def test_hashprice_realised_is_mined_over_days_over_hashrate(seeded: DeskSettings) -> None:
    report = await _report(seeded)
    realised, expected, ratio = report.section("hashprice").rows
    # 0.627 BTC / 30 days / 36.5 PH/s = 0.000572602... -> 0.00057260 BTC (to the satoshi)
    assert realised.cells[1] == "0.00057260 BTC"
    assert realised.traces[0].figure == Amount(BTC, "0.627")
    # 10^15 x 86,400 / (1.1e14 x 2^32) x (3.125 + 0.02) BTC, to the satoshi
    assert expected.cells[1] == "0.00057515 BTC"
    assert ratio.cells[4] == "99.56 % of expected"


async def test_each_inflows_value_at_receipt_sums_to_its_row(seeded: DeskSettings) -> None:
    import re

    from desk.register import valuations

    report = await _report(seeded)
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        frozen = await valuations.current(reg)
    for row in report.section("inflows").rows:
        (trace,) = row.traces
        usd = kzt = Decimal(0)
        for source in trace.sources:
            found = re.fullmatch(r"at receipt (\S+) USD, (\S+) KZT, (frozen|computed)", source.note)
            assert found, source.note
            usd, kzt = usd + Decimal(found[1]), kzt + Decimal(found[2])
            if found[3] == "frozen":  # the very figures the valuation pass froze
                record = frozen[(source.seq, "BTC")]
                assert (record.usd, record.kzt) == (Decimal(found[1]), Decimal(found[2]))
        assert row.cells[5] == f"{usd.quantize(Decimal('0.01')):,} USD"
        assert row.cells[6] == f"{kzt.quantize(Decimal('0.01')):,} KZT"


async def test_every_count_lists_the_actions_it_counted(seeded: DeskSettings) -> None:
    report = await _report(seeded)
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        actions = {a["seq"]: a for a in await reg.actions(limit=1000)}
    for row in report.section("approvals").rows:
        assert len(row.refs) == int(row.cells[1])
        for ref in row.refs:
            seq = int(ref.split()[1].removeprefix("#"))
            assert actions[seq]["operator"] in ref and actions[seq]["action"] in ref


async def test_a_module_that_cannot_judge_makes_its_section_say_why(seeded: DeskSettings) -> None:
    from desk.config import load_settings

    config = seeded.register.path.parent / "desk.toml"
    config.write_text(
        config.read_text()
        + """
[[compliance.fee_rates]]
energy = "renewable"
kzt_per_kwh = "1"
effective_from = 2024-01-01
source = "a table without the row for own generation"
"""
    )
    settings = load_settings(config, env={})
    async with Register.open(settings.register.path, operator="auditor") as reg:
        report = await build_report(reg, settings, NOVEMBER, as_of=AS_OF)
    fee = report.section("fee")
    assert fee.unavailable is not None
    assert fee.unavailable.startswith("desk.compliance could not compute the fee: no mining-fee rate for own")
    assert report.section("inflows").rows  # the rest of the report stands


async def test_without_detail_the_lots_held_are_not_gathered_and_every_figure_is_the_same(
    seeded: DeskSettings,
) -> None:
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        full = await build_report(reg, seeded, NOVEMBER, as_of=AS_OF)
        brief = await build_report(reg, seeded, NOVEMBER, as_of=AS_OF, detail=False)
    assert [s.rows and [r.cells for r in s.rows] for s in brief.sections] == [
        s.rows and [r.cells for r in s.rows] for s in full.sections
    ]
    assert any(r.traces for r in full.section("costbasis").rows)
    assert not any(r.traces for r in brief.section("costbasis").rows)  # the reserve's whole history of lots
    assert render(brief, "md") == render(full, "md")


async def test_a_running_month_is_judged_now_as_the_dashboard_judges_it(seeded: DeskSettings) -> None:
    """`desk report --month <this month>` judged sell-through at the month's end ("0 days
    left, red") while the dashboard and `desk compliance`, judging now, said amber: without
    --as-of a month still running is reported as of now, so the answer is the same."""
    from datetime import UTC, datetime

    from desk.compliance import compliance_snapshot

    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    async with Register.open(seeded.register.path, operator="auditor") as reg:
        report = await build_report(reg, seeded, NOVEMBER, now=now)
        snapshot = await compliance_snapshot(reg, seeded, now=now)
    assert report.as_of == now and report.end == now
    judged = {(row.asset, str(row.days_left), row.status) for row in snapshot.rows}
    assert judged, "the seed mines and sells, so there is a standing to compare"
    columns = report.section("compliance").columns
    shown = {
        (cells[columns.index("asset")], cells[columns.index("days left")], cells[columns.index("status")])
        for cells in _cells(report, "compliance")
    }
    assert shown == judged
    assert all(days != "0" for _asset, days, _status in shown)


async def test_dollars_priced_in_usdt_are_labelled_usdt_not_usd(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """BNB is priced on binance's BNB/USDT: its value is USDT at par, and a total over BTC
    (USD) and BNB (USDT) holds both. The columns said "USD" over every one of them."""
    from tests.tui.seed import NOW, seed, write_settings

    settings = write_settings(tmp_path)
    await seed(settings)
    async with Register.open(settings.register.path, operator="auditor") as reg:
        report = await build_report(reg, settings, NOVEMBER, now=NOW)
    reserve = report.section("reserve")
    column = reserve.columns.index("value (USD/USDT)")
    rows = {(cells[0], cells[1]): cells[column] for cells in _cells(report, "reserve")}
    assert rows[("asset", "BNB")].endswith(" USDT")
    assert rows[("asset", "BTC")].endswith(" USD")
    assert rows[("total", "")].endswith(" USD/USDT")
    assert "cost (USD/USDT)" in report.section("costbasis").columns
    amounts = {cells[1]: cells[2] for cells in _cells(report, "reserve") if cells[0] == "asset"}
    assert amounts["BNB"] == "40.00000000 BNB"  # one format: grouped, eight decimals, code whole

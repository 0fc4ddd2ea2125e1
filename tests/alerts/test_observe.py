"""Observations gathered from a real register (the report's seeded November), judged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from desk.alerts.engine import AlertEngine, Notice
from desk.alerts.observe import observe
from desk.alerts.rules import rules_from_settings
from desk.config import load_settings
from desk.register import Register
from desk.sync.alerting import AlertWatch
from desk.sync.events import FeedPolled, RoundFinished
from tests.report.seed import btc_usd, seed, write_config

ALERTS = """
[[alerts]]
name = "btc-high"
kind = "price"
asset = "BTC"
above = "90000"
[[alerts]]
name = "late-payout"
kind = "payout_missing"
hours = 48
[[alerts]]
name = "behind"
kind = "compliance"
[[alerts]]
name = "feeds"
kind = "feed"
"""


def _settings(tmp: Path):  # type: ignore[no-untyped-def]
    path = write_config(tmp)
    path.write_text(path.read_text() + ALERTS)
    return load_settings(path, env={})


async def test_the_register_tells_prices_payouts_and_compliance(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await seed(settings, freeze=False)
    rules = rules_from_settings(settings)
    at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    async with Register.open(settings.register.path, operator="watch") as reg:
        obs = await observe(reg, settings, rules, at)
    assert obs.prices == {("BTC", "USD"): btc_usd(at.date())}
    # f2main paid on the 15th after its second week; ocean on the 11th
    assert obs.last_payouts == {
        "f2main": datetime(2026, 11, 15, 6, tzinfo=UTC),
        "ocean": datetime(2026, 11, 11, 6, tzinfo=UTC),
    }
    (btc,) = [c for c in obs.compliance if c.subject == "2026-11 BTC"]
    assert btc.state == "amber"  # 6 % sold by the 20th against a 75 % share
    notices = AlertEngine(rules).evaluate(obs)
    assert [(n.rule, n.subject) for n in notices] == [
        ("btc-high", "BTC/USD above 90000"),
        ("late-payout", "pool f2main"),
        ("late-payout", "pool ocean"),
        ("behind", "sell-through 2026-11 BTC"),
    ]


async def test_a_price_nobody_quoted_is_a_gap_not_a_figure(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await seed(settings, freeze=False)
    async with Register.open(settings.register.path, operator="watch") as reg:
        obs = await observe(reg, settings, rules_from_settings(settings), datetime(2026, 10, 1, tzinfo=UTC))
    assert obs.prices == {}
    assert obs.gaps and obs.gaps[0].startswith("price BTC/USD: no price for BTC in USD")


async def test_the_watch_judges_after_each_poll_and_emits(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await seed(settings, freeze=False)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    said = []
    async with Register.open(settings.register.path, operator="watch") as reg:
        watch = AlertWatch(reg, settings, rules_from_settings(settings), said.append, lambda: now)
        watch.on_event(FeedPolled(now, feed="kraken", status="down", reason="HTTP 500", kind="price"))
        watch.on_event(RoundFinished(now))  # coalesced into one more check
        await watch.drain()
        now += timedelta(minutes=5)
        watch.on_event(FeedPolled(now, feed="kraken", status="down", reason="HTTP 500", kind="price"))
        await watch.drain()
    rules = [n.rule for n in said]
    assert rules.count("feeds") == 1  # debounced on the second check
    assert "feed kraken is down: HTTP 500" in [n.message for n in said]
    assert Decimal(90000) < btc_usd(now.date())


async def test_polls_that_change_nothing_are_judged_once_a_minute(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    await seed(settings, freeze=False)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    checks: list[datetime] = []
    async with Register.open(settings.register.path, operator="watch") as reg:
        watch = AlertWatch(reg, settings, rules_from_settings(settings), lambda n: None, lambda: now)
        judge = watch.check

        async def counted():  # type: ignore[no-untyped-def]
            checks.append(now)
            return await judge()

        watch.check = counted  # type: ignore[method-assign]

        for seconds, status in ((0, "ok"), (30, "ok"), (45, "down"), (50, "down"), (200, "down")):
            now = datetime(2026, 11, 20, 12, tzinfo=UTC) + timedelta(seconds=seconds)
            watch.on_event(FeedPolled(now, feed="kraken", status=status, kind="price"))
            await watch.drain()
    start = datetime(2026, 11, 20, 12, tzinfo=UTC)
    # the first poll, the change to down, and the poll a minute after that; not the quiet ones
    assert [int((c - start).total_seconds()) for c in checks] == [0, 45, 200]


async def test_runs_under_cron_remember_what_was_said(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    from desk.alerts.memory import memory_path

    settings = _settings(tmp_path)
    await seed(settings, freeze=False)
    memory = memory_path(settings.register.path)
    said: list[Notice] = []

    async def one_run(at: datetime) -> list[str]:
        async with Register.open(settings.register.path, operator="watch") as reg:
            watch = AlertWatch(reg, settings, rules_from_settings(settings), said.append, lambda: at, memory=memory)
            return [n.rule for n in await watch.check()]

    first = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert await one_run(first) == ["btc-high", "late-payout", "late-payout", "behind"]
    assert memory.stat().st_mode & 0o777 == 0o600
    assert await one_run(first + timedelta(minutes=5)) == []  # a second cron run: debounced, no new crossing
    assert await one_run(first + timedelta(hours=2)) == ["late-payout", "late-payout", "behind"]
    memory.write_text("{not json")
    assert await one_run(first + timedelta(hours=2, minutes=1)) == ["btc-high", "late-payout", "late-payout", "behind"]
    assert "cannot be read" in caplog.text

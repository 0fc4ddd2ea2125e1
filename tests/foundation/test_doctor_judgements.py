"""The doctor's judgements that need no process: a terminal's size and colours from its
environment, and what a set of exchange clocks says about the local one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.doctor.clock import duration, judge
from desk.doctor.terminal import check_terminal, colours
from desk.feeds.prices.server_time import ServerTime

T0 = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def answer(
    source: str, offset: timedelta, *, round_trip: timedelta = 20 * MS, resolution: timedelta = MS
) -> ServerTime:
    return ServerTime(source, T0 + round_trip / 2 + offset - resolution / 2, T0, T0 + round_trip, resolution)


def test_offset_is_taken_against_the_middle_of_the_round_trip() -> None:
    time = answer("binance", timedelta(seconds=3), round_trip=400 * MS)
    assert time.offset == timedelta(seconds=3)
    assert time.uncertainty == 200 * MS + MS / 2


def test_a_clock_within_tolerance_of_every_exchange_is_ok() -> None:
    (found,) = judge([answer("binance", 300 * MS), answer("kraken", -400 * MS, resolution=timedelta(seconds=1))], [])
    assert (found.status, found.detail) == ("ok", "within 0.40 s of binance, kraken")


def test_the_tolerance_grows_by_what_a_measurement_cannot_tell() -> None:
    """Kraken answers in whole seconds: 1.4 s off it is within 1 s give or take 0.5 s."""
    kraken = answer("kraken", timedelta(seconds=1.4), resolution=timedelta(seconds=1))
    assert judge([kraken], [])[0].status == "ok"
    binance = answer("binance", timedelta(seconds=1.4))
    assert judge([binance], [])[0].status == "fail"


def test_when_every_exchange_disagrees_the_local_clock_is_wrong() -> None:
    (found,) = judge([answer("binance", -timedelta(seconds=90)), answer("coinbase", -timedelta(seconds=90))], [])
    assert found.status == "fail"
    assert found.detail.startswith("the local clock is 1 min 30.00 s ahead of binance (± 0.01 s)")
    assert found.fix is not None and "timedatectl set-ntp true" in found.fix


def test_when_only_some_disagree_those_exchanges_are_named_in_a_warning() -> None:
    (found,) = judge([answer("binance", timedelta(seconds=30)), answer("coinbase", 5 * MS)], [])
    assert found.status == "warn"
    assert found.detail.startswith("30.00 s behind binance") and "but coinbase agree(s)" in found.detail


def test_no_answer_at_all_is_a_warning_with_the_reasons() -> None:
    found = judge([], ["binance: no answer from api.binance.com/api/v3/time (timed out)"])
    assert [f.status for f in found] == ["warn"]
    assert "timed out" in found[0].detail


def test_durations_are_rounded_before_they_are_split_into_minutes() -> None:
    assert duration(timedelta(minutes=4, seconds=59, microseconds=999_000)) == "5 min 0.00 s"
    assert duration(timedelta(seconds=59, microseconds=996_000)) == "1 min 0.00 s"
    assert duration(timedelta(minutes=65, seconds=3, microseconds=500_000)) == "65 min 3.50 s"
    assert duration(timedelta(milliseconds=24)) == "0.02 s"


def test_colours_from_the_environment() -> None:
    assert colours({"COLORTERM": "truecolor", "TERM": "xterm"}) == "truecolor"
    assert colours({"TERM": "screen-256color"}) == "256"
    assert colours({"TERM": "xterm"}) == "16"
    assert colours({"TERM": "dumb"}) is None
    assert colours({}) is None


def test_terminal_sizes_and_colour_findings() -> None:
    ok = check_terminal((120, 40), {"TERM": "xterm-256color"})
    assert [(f.check, f.status, f.detail) for f in ok] == [
        ("terminal", "ok", "120x40"),
        ("colours", "ok", "256 colours"),
    ]
    small = check_terminal((100, 30), {"TERM": "xterm", "NO_COLOR": "1"})
    assert [(f.status, f.detail.split(":")[0]) for f in small] == [("note", "100x30"), ("note", "NO_COLOR is set")]
    sixteen = check_terminal((200, 60), {"TERM": "xterm"})[1]
    assert sixteen.status == "note" and "16 colours" in sixteen.detail
    assert [f.status for f in check_terminal(None, {})] == ["skip"]

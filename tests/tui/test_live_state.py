"""Feed state from the sync's JSON lines, from the register's sync table, and the sync's
stdin commands: the pure parts of the live link."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest

from desk.sync.control import obey
from desk.sync.events import FeedPolled, Progress
from desk.sync.reporters import json_lines
from desk.tui.feed_states import HISTORY, FeedState, apply_event, recorded_feeds, unavailable

T = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
FEEDS = (FeedState("ocean", "pool", "waiting", "not polled yet"), FeedState("nbk", "price", "waiting"))


def as_line(event: object) -> dict:
    """What the screen reads from `desk sync --json`: the reporter's own line, parsed."""
    out = StringIO()
    json_lines(out)(event)  # type: ignore[arg-type]
    return json.loads(out.getvalue())


def test_a_good_poll_then_a_ban_with_its_retry_time() -> None:
    feeds = apply_event(
        FEEDS, as_line(FeedPolled(T, feed="ocean", status="ok", seen=3, written=3, kind="pool", last_ok=T))
    )
    assert feeds[0] == FeedState("ocean", "pool", "ok", None, T, None, ())
    assert feeds[1] is FEEDS[1]
    retry = T + timedelta(minutes=5)
    later = T + timedelta(seconds=30)
    feeds = apply_event(
        feeds,
        as_line(
            FeedPolled(
                later, feed="ocean", status="down", reason="banned (418)", kind="pool", last_ok=T, retry_at=retry
            )
        ),
    )
    assert feeds[0].state == "down" and feeds[0].reason == "banned (418)"
    assert feeds[0].last_ok == T and feeds[0].retry_at == retry
    assert feeds[0].failures == ((later, "banned (418)"),)


def test_failures_are_kept_newest_first_and_bounded() -> None:
    feeds = FEEDS
    for i in range(HISTORY + 5):
        feeds = apply_event(
            feeds,
            as_line(
                FeedPolled(
                    T + timedelta(seconds=i), feed="nbk", status="degraded", reason=f"HTTP 500 #{i}", kind="price"
                )
            ),
        )
    failures = feeds[1].failures
    assert len(failures) == HISTORY
    assert failures[0][1] == f"HTTP 500 #{HISTORY + 4}" and failures[0][0] > failures[1][0]


def test_events_that_say_nothing_of_a_feed_change_nothing_and_new_feeds_are_added() -> None:
    assert apply_event(FEEDS, as_line(Progress(T, feed="ocean", done=3, total=30))) is FEEDS
    assert apply_event(FEEDS, {"event": "round_finished"}) is FEEDS
    feeds = apply_event(FEEDS, as_line(FeedPolled(T, feed="esplora", status="ok", kind="chain", last_ok=T)))
    assert feeds[-1] == FeedState("esplora", "chain", "ok", None, T, None, ())


def test_recorded_state_and_unavailable() -> None:
    states = {
        "ocean": {"state": "down", "reason": "HTTP 403", "last_ok": T},
        "gone": {"state": "ok", "reason": None, "last_ok": T},
    }
    followed = recorded_feeds(FEEDS, states)
    assert [f.name for f in followed] == ["ocean", "nbk"]
    assert followed[0].state == "down" and followed[0].reason == "HTTP 403" and followed[0].last_ok == T
    own = recorded_feeds(FEEDS, states, with_state=False)
    assert own[0].state == "waiting" and own[0].last_ok == T
    down = unavailable(FEEDS, "the sync stopped (exit 3): locked")
    assert {(f.state, f.reason) for f in down} == {("down", "the sync stopped (exit 3): locked")}


class Engine:
    def __init__(self) -> None:
        self.polled: list[str] = []

    def poll_now(self, name: str) -> bool:
        self.polled.append(name)
        return name == "ocean"


def test_control_commands(capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine()
    obey(engine, "poll ocean\n")
    obey(engine, "\n")
    assert engine.polled == ["ocean"] and capsys.readouterr().err == ""
    obey(engine, "poll nowhere\n")
    assert "no polled feed named 'nowhere'" in capsys.readouterr().err
    obey(engine, "reboot now\n")
    assert "unknown command 'reboot now'" in capsys.readouterr().err
    assert engine.polled == ["ocean", "nowhere"]

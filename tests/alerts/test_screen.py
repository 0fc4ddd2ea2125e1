"""An alert line from the screen's sync child becomes a toast and the bell (`app.alert`)."""

from __future__ import annotations

import json

from desk.alerts.engine import AlertEngine
from desk.alerts.observations import FeedStatus, Observations
from desk.tui.live import Live
from tests.alerts.test_engine import T0, rule


class App:
    """What the live link needs of the app, and what `alert` was asked to say."""

    def __init__(self) -> None:
        self.feeds = ()
        self.sync_status = ""
        self.alerts: list[tuple[str, str]] = []

    def alert(self, message: str, *, title: str = "Alert") -> None:
        self.alerts.append((title, message))


def test_an_alert_line_reaches_app_alert() -> None:
    (notice,) = AlertEngine([rule("feed", states=("down",))]).evaluate(
        Observations(T0, feeds=(FeedStatus("kraken", "down", "HTTP 500"),))
    )
    app = App()
    live = Live(app, None)
    live._on_event(json.loads(notice.to_json()))  # what SyncChild hands over for each stdout line
    live._on_event({"event": "round_finished", "at": T0.isoformat()})
    assert app.alerts == [("Alert: feed", "feed kraken is down: HTTP 500")]

"""The alert engine: rules judged over observations, with debounce and a daily cap.

Pure and clocked by the observations' own time, so a test drives it with a fixed clock.
A notice for (rule, subject) is not repeated within the rule's debounce; a rule says at most
`daily_cap` things per UTC day (what it would have said beyond is counted in `suppressed`).
An edge rule (a price crossing a level) fires when its condition starts to hold, and again
only after the condition has cleared.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from desk.alerts.observations import Observations
from desk.alerts.rules import AlertRule
from desk.alerts.triggers import TRIGGERS


@dataclass(frozen=True, slots=True)
class Notice:
    rule: str
    subject: str
    message: str
    level: str
    at: datetime

    def to_json(self) -> str:
        """One JSON line: `{"event": "alert", "rule": ..., "subject": ..., ...}`."""
        return json.dumps(
            {
                "event": "alert",
                "rule": self.rule,
                "subject": self.subject,
                "message": self.message,
                "level": self.level,
                "at": self.at.isoformat(),
            }
        )


class AlertEngine:
    def __init__(self, rules: Sequence[AlertRule]) -> None:
        self.rules = list(rules)
        self._last: dict[tuple[str, str], datetime] = {}
        self._active: set[tuple[str, str]] = set()
        self._today: dict[str, tuple[date, int]] = {}
        self.suppressed: dict[str, int] = {}

    def evaluate(self, obs: Observations) -> list[Notice]:
        """The notices to give now, in rule order then subject order."""
        notices = []
        for rule in self.rules:
            found = sorted(TRIGGERS[rule.kind](rule, obs), key=lambda c: c.subject)
            holding = {(rule.name, c.subject) for c in found}
            fresh = holding - self._active
            self._active = {k for k in self._active if k[0] != rule.name} | holding
            for candidate in found:
                key = (rule.name, candidate.subject)
                if rule.edge and key not in fresh:
                    continue
                last = self._last.get(key)
                if last is not None and obs.at - last < rule.debounce:
                    continue
                if not self._within_cap(rule, obs.at):
                    self.suppressed[rule.name] = self.suppressed.get(rule.name, 0) + 1
                    continue
                self._last[key] = obs.at
                notices.append(Notice(rule.name, candidate.subject, candidate.message, rule.level, obs.at))
        return notices

    def memory(self) -> dict[str, Any]:
        """What the engine remembers, as JSON-ready data: the last notice per rule and
        subject, the conditions holding, today's count per rule. Kept between runs so that
        `desk sync --once` under cron debounces and caps across runs."""
        return {
            "v": 1,
            "last": [[rule, subject, at.isoformat()] for (rule, subject), at in sorted(self._last.items())],
            "active": sorted([rule, subject] for rule, subject in self._active),
            "today": {rule: [day.isoformat(), count] for rule, (day, count) in sorted(self._today.items())},
        }

    def remember(self, memory: Mapping[str, Any]) -> None:
        """Take back what `memory()` gave; rules no longer configured are forgotten.
        ValueError/KeyError/TypeError when the data is not what `memory()` writes."""
        names = {rule.name for rule in self.rules}
        if memory.get("v") != 1:
            raise ValueError(f"alert memory version {memory.get('v')!r} is not 1")
        self._last = {(r, s): datetime.fromisoformat(at) for r, s, at in memory["last"] if r in names}
        self._active = {(r, s) for r, s in memory["active"] if r in names}
        self._today = {r: (date.fromisoformat(d), int(n)) for r, (d, n) in memory["today"].items() if r in names}

    def _within_cap(self, rule: AlertRule, at: datetime) -> bool:
        """Count one notice against the rule's cap for `at`'s UTC day, if there is room."""
        day = at.astimezone(UTC).date()
        seen_day, count = self._today.get(rule.name, (day, 0))
        if seen_day != day:
            count = 0
        if count >= rule.daily_cap:
            return False
        self._today[rule.name] = (day, count + 1)
        return True

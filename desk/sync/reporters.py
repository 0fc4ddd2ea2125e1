"""How `desk sync` shows what the engine does: a progress display on a terminal, JSON lines
for cron, systemd and log shippers everywhere else."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import IO, Any, Protocol

from desk.sync.events import (
    ChainWatched,
    FeedCrashed,
    FeedPolled,
    Progress,
    RoundFinished,
    RoundStarted,
    SyncEvent,
    TransferChanged,
)

Reporter = Callable[[SyncEvent], None]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def json_lines(stream: IO[str] | None = None) -> Reporter:
    """One JSON object per event and line: `{"event": "feed", "feed": ..., "status": ...}`."""
    out = stream or sys.stdout
    names = {
        RoundStarted: "round_started",
        FeedPolled: "feed",
        Progress: "progress",
        RoundFinished: "round_finished",
        FeedCrashed: "feed_crashed",
        TransferChanged: "transfer",
        ChainWatched: "chain_watch",
    }

    def report(event: SyncEvent) -> None:
        record = {"event": names.get(type(event), type(event).__name__)}
        record.update({k: _plain(v) for k, v in asdict(event).items()})
        if isinstance(event, FeedPolled | RoundFinished):
            record["duration_s"] = round(event.duration_s, 3)  # float-ok: seconds
        out.write(json.dumps(record) + "\n")
        out.flush()

    return report


class _Notice(Protocol):
    def to_json(self) -> str: ...


def alert_lines(stream: IO[str] | None = None) -> Callable[[_Notice], None]:
    """Alert notices (desk.alerts) as one JSON line each, `{"event": "alert", "rule": ...,
    "subject": ..., "message": ..., "level": ..., "at": ...}`, on stdout whatever the
    reporter: the screen's sync child and log shippers read them there."""
    out = stream or sys.stdout

    def report(notice: _Notice) -> None:
        out.write(notice.to_json() + "\n")
        out.flush()

    return report


def terminal(stream: IO[str] | None = None) -> Reporter:
    """A line per feed and a live progress bar during a backfill, for a person watching."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    console = Console(file=stream or sys.stderr)
    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    tasks: dict[str, Any] = {}
    styles = {"ok": "green", "stale": "yellow", "degraded": "yellow", "down": "red"}

    def report(event: SyncEvent) -> None:
        if isinstance(event, Progress):
            if not bar.live.is_started:
                bar.start()
            if event.feed not in tasks:
                tasks[event.feed] = bar.add_task(f"backfill {event.feed}", total=event.total)
            bar.update(tasks[event.feed], completed=event.done, total=event.total)
        elif isinstance(event, FeedPolled):
            if event.feed in tasks:
                bar.remove_task(tasks.pop(event.feed))
            style = styles.get(event.status, "white")
            reason = f" — {escape(event.reason)}" if event.reason else ""
            console.print(
                f"[{style}]{event.status:>8}[/] {event.feed:<20} {event.written:>7} new of {event.seen:<7}"
                f" {event.duration_s:6.2f}s{reason}"
            )
        elif isinstance(event, FeedCrashed):
            restart = f"; restarting in {event.restart_in_s:.0f} s" if event.restart_in_s is not None else ""
            console.print(f"[red]{'crashed':>8}[/] {event.feed:<20} {escape(event.error)}{restart}")
        elif isinstance(event, RoundFinished):
            if bar.live.is_started and not tasks:
                bar.stop()
            failed = f", failed: {', '.join(event.failed)}" if event.failed else ""
            console.print(f"round done: {event.written} written in {event.duration_s:.2f}s{failed}")
        elif isinstance(event, TransferChanged):
            tx = f" tx {event.txid}" if event.txid else ""
            console.print(f"transfer #{event.draft_id}: {event.before} → {event.state}{tx} {escape(event.note)}")

    return report

"""Is the local clock right? Asked of the configured exchanges' server-time endpoints.

desk stamps register entries, quote ages and staleness with the local clock, and an exchange
refuses a signed request stamped ahead of its own clock (Binance: by more than a second). So
the clock must agree with the exchanges to within `TOLERANCE`, give or take what a
measurement cannot tell (half the round trip and the answer's resolution).

When every exchange that answers disagrees with the local clock, the clock is wrong (fail);
when only some do, those exchanges may be (warn, naming them).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from desk.config import DeskSettings
from desk.doctor.findings import Finding
from desk.feeds.errors import FeedError
from desk.feeds.http import RetryPolicy, http_session
from desk.feeds.prices.server_time import ServerTime, has_server_time, server_time

TOLERANCE = timedelta(seconds=1)
#: one try each, briefly: the doctor reports, it does not wait out an outage
POLICY = RetryPolicy(attempts=1, timeout_s=5)
FIX = "synchronise the clock: `timedatectl set-ntp true` (systemd), or chrony / ntpd"


async def check_clock(settings: DeskSettings) -> list[Finding]:
    sources = {
        name: source
        for name, source in settings.prices.sources.items()
        if source.enabled and has_server_time(source.kind)
    }
    if not sources:
        return [Finding("clock", "skip", "no exchange (binance, kraken, coinbase) configured to ask the time")]
    async with http_session(policy=POLICY) as http:
        answers = await asyncio.gather(
            *(server_time(name, source, http) for name, source in sources.items()), return_exceptions=True
        )
    times: list[ServerTime] = []
    failures: list[str] = []
    for name, answer in zip(sources, answers, strict=True):
        if isinstance(answer, ServerTime):
            times.append(answer)
        elif isinstance(answer, FeedError):
            failures.append(f"{name}: {answer.reason}")
        else:
            raise answer
    return judge(times, failures)


def judge(times: list[ServerTime], failures: list[str]) -> list[Finding]:
    """The finding for these answers (and the exchanges that did not answer)."""
    found = []
    if failures:
        found.append(
            Finding(
                "clock",
                "warn",
                "could not ask for the time:\n" + "\n".join(failures),
                "check the network and those price sources' base_url (`desk feeds check`)",
            )
        )
    if not times:
        return found
    off = [t for t in times if abs(t.offset) > TOLERANCE + t.uncertainty]
    agree = [t for t in times if t not in off]
    if not off:
        worst = max(times, key=lambda t: abs(t.offset))
        names = ", ".join(t.source for t in times)
        found.append(Finding("clock", "ok", f"within {seconds(abs(worst.offset))} s of {names}"))
    elif not agree:
        found.append(Finding("clock", "fail", "the local clock is " + "; ".join(map(describe, off)), FIX))
    else:
        agreeing = ", ".join(t.source for t in agree)
        found.append(
            Finding(
                "clock",
                "warn",
                f"{'; '.join(map(describe, off))}, but {agreeing} agree(s) with the local clock: "
                "those exchanges' clocks may be off",
            )
        )
    return found


def describe(time: ServerTime) -> str:
    """`5 min 0.00 s behind binance (± 0.01 s)`."""
    direction = "behind" if time.offset > timedelta(0) else "ahead of"
    return f"{duration(abs(time.offset))} {direction} {time.source} (± {seconds(time.uncertainty)} s)"


def duration(span: timedelta) -> str:
    """`5 min 0.34 s`, or `0.02 s` under a minute (rounded to hundredths first, so never `4 min 60.00 s`)."""
    minutes, rest = divmod(_seconds(span), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def seconds(span: timedelta) -> str:
    return str(_seconds(span))


def _seconds(span: timedelta) -> Decimal:
    """Seconds to two decimals, exactly (no float)."""
    return Decimal(span // timedelta(microseconds=1)).scaleb(-6).quantize(Decimal("0.01"))

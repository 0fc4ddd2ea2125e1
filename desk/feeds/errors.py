"""What can go wrong with a feed, classified so health can say it plainly.

Messages never contain credentials: they are built from the host, the path and what the
source said, never from request headers.
"""

from __future__ import annotations

import re
from datetime import datetime

#: What may not reach a log line or a terminal as it came: a stray byte of a garbled answer
#: (a lone surrogate, see desk/feeds/http.py) and control characters.
_UNPRINTABLE = re.compile(r"[\ud800-\udfff\x00-\x1f\x7f]")


def printable(text: str) -> str:
    """`text` with every unprintable character escaped (`\\udcff`, `\\x1b`), on one line."""
    return _UNPRINTABLE.sub(lambda m: ascii(m.group())[1:-1], text)


class FeedError(Exception):
    """A feed failed this time; `reason` is the short text the operator sees (whatever the
    source sent, it is printable: a garbled byte quoted in it is shown escaped)."""

    state = "down"

    def __init__(self, reason: str) -> None:
        self.reason = printable(reason)
        super().__init__(self.reason)


class AuthError(FeedError):
    """The token was refused (403 and friends): nothing will work until it is fixed."""


class RateLimited(FeedError):
    """The source asked us to slow down until `retry_at`."""

    state = "degraded"

    def __init__(self, reason: str, retry_at: datetime) -> None:
        super().__init__(reason)
        self.retry_at = retry_at


class Banned(FeedError):
    """The host banned us until `until` (Binance 418); no request goes there before then."""

    def __init__(self, reason: str, until: datetime) -> None:
        super().__init__(reason)
        self.until = until


class ServerError(FeedError):
    """The source failed (5xx) even after retries."""

    state = "degraded"


class Unreachable(FeedError):
    """No answer: timeout, refused connection, DNS."""


class Malformed(FeedError):
    """The answer does not have the documented shape; `where` names the field."""

    state = "degraded"


class Crashed(FeedError):
    """Not a fault of the source: desk's own code failed on this feed (a bug). The traceback
    is logged under `traceback_id` (desk/feeds/crash.py); the feed is down until it works."""

    def __init__(self, reason: str, traceback_id: str) -> None:
        super().__init__(reason)
        self.traceback_id = traceback_id

"""What can go wrong with a feed, classified so health can say it plainly.

Messages never contain credentials: they are built from the host, the path and what the
source said, never from request headers.
"""

from __future__ import annotations

from datetime import datetime


class FeedError(Exception):
    """A feed failed this time; `reason` is the short text the operator sees."""

    state = "down"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


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

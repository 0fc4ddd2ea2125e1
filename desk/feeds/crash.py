"""An unexpected error on one feed: a short reason for the operator and the full traceback
for the developer, tied together by a traceback id.

The traceback goes to the `desk.crash` logger: `desk sync` sends it to a file beside the
register (desk/sync/crashlog.py), elsewhere it reaches stderr like any other log record. The
reason names the error but never the traceback, so a screen or a JSON log stays one line.
"""

from __future__ import annotations

import logging
import uuid

from desk.feeds.errors import Crashed

log = logging.getLogger("desk.crash")


def crashed(feed: str, exc: BaseException, stage: str) -> Crashed:
    """Log `exc`'s traceback under a new id; the `Crashed` error the feed is marked down with."""
    if isinstance(exc, Crashed):
        return exc
    traceback_id = uuid.uuid4().hex[:12]
    log.error("traceback %s: feed %s failed while it %s", traceback_id, feed, stage, exc_info=exc)
    detail = str(exc).splitlines()[0][:120] if str(exc) else ""
    error = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return Crashed(f"{feed}: unexpected error while it {stage}: {error} (traceback {traceback_id})", traceback_id)

"""Exit codes are an API for cron and systemd: one enum, documented in the README."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: A check failed (verify mismatch, a reserve difference) or some feed failed.
    FAILED = 1
    #: Bad configuration or bad command-line usage.
    CONFIG = 2
    #: The register could not be opened (missing, locked by a second sync, not a register).
    REGISTER = 3
    #: Input refused: an invalid entry, a self-approval, a rule broken.
    REFUSED = 4
    INTERRUPTED = 130

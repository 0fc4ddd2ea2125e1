"""The alert engine's memory between runs: a small JSON file beside the register.

A sync run from cron (`desk sync --once` every few minutes) is a new process each time;
without this file every run would repeat every notice. The file is private to its owner and
replaced whole; a file that cannot be read is set aside with a warning, never a reason to
stop the sync.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from desk.private_files import write_private

log = logging.getLogger(__name__)


def memory_path(register_path: Path) -> Path:
    return Path(f"{register_path}.alerts.json")


def load(path: Path) -> dict[str, Any] | None:
    """The remembered state, or None when there is none (or it is unreadable: warned)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("alert memory %s cannot be read (%s); starting afresh", path, exc)
        return None
    return data if isinstance(data, dict) else None


def save(path: Path, memory: dict[str, Any]) -> None:
    """Replace the file whole (a temporary file renamed into place), mode 600."""
    write_private(path, json.dumps(memory, sort_keys=True))

"""Is this terminal fit for the screen: big enough, and how many colours does it show?

A pure judgement of a size and an environment, so it is tested without a terminal; the
caller passes None for the size when standard output is not a terminal (cron, a pipe).
"""

from __future__ import annotations

from collections.abc import Mapping

from desk.doctor.findings import Finding

#: below this the screens do not fit (columns, lines)
MIN_SIZE = (80, 24)
#: what the screens are laid out for (and the snapshots and screenshots pin)
LAID_OUT_FOR = (120, 40)


def colours(env: Mapping[str, str]) -> str | None:
    """How many colours the terminal shows, as its environment says (Rich and Textual read
    the same variables): truecolor, 256, 16, or None for none."""
    if env.get("COLORTERM", "").lower() in ("truecolor", "24bit"):
        return "truecolor"
    term = env.get("TERM", "").lower()
    if term in ("", "dumb", "unknown"):
        return None
    return "256" if "256color" in term else "16"


def check_terminal(size: tuple[int, int] | None, env: Mapping[str, str]) -> list[Finding]:
    if size is None:
        return [
            Finding(
                "terminal",
                "skip",
                "standard output is not a terminal; run `desk doctor` in the terminal the screen is used in",
            )
        ]
    columns, lines = size
    found = []
    if columns < MIN_SIZE[0] or lines < MIN_SIZE[1]:
        found.append(
            Finding(
                "terminal",
                "warn",
                f"{columns}x{lines} is too small for the screen (it needs {MIN_SIZE[0]}x{MIN_SIZE[1]})",
                f"enlarge the window or shrink the font to {LAID_OUT_FOR[0]}x{LAID_OUT_FOR[1]} or more",
            )
        )
    elif columns < LAID_OUT_FOR[0] or lines < LAID_OUT_FOR[1]:
        found.append(
            Finding(
                "terminal",
                "note",
                f"{columns}x{lines}: the screens are laid out for {LAID_OUT_FOR[0]}x{LAID_OUT_FOR[1]}; "
                "some panels will scroll",
            )
        )
    else:
        found.append(Finding("terminal", "ok", f"{columns}x{lines}"))
    found.append(_colour_finding(env))
    return found


def _colour_finding(env: Mapping[str, str]) -> Finding:
    if "NO_COLOR" in env:
        return Finding("colours", "note", "NO_COLOR is set: the screen shows no colours")
    shown = colours(env)
    if shown is None:
        return Finding(
            "colours",
            "warn",
            f"TERM={env.get('TERM', '')!r}: no colours, so prices, states and stale marks lose their colour",
            "run desk in a terminal that sets TERM (e.g. xterm-256color)",
        )
    if shown == "16":
        return Finding(
            "colours",
            "note",
            f"16 colours (TERM={env['TERM']}): the theme is approximated",
            "if the terminal shows more, say so: COLORTERM=truecolor or TERM=xterm-256color",
        )
    return Finding("colours", "ok", "truecolor" if shown == "truecolor" else "256 colours")

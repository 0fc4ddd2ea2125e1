"""The report as Markdown: a heading per section, a pipe table, notes; with `detail`, the
entries behind every figure as a nested list under the table."""

from __future__ import annotations

from desk.report.fmt import amount
from desk.report.model import Report, Row, Section, Trace


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(section: Section) -> list[str]:
    lines = [
        "| " + " | ".join(_cell(c) for c in section.columns) + " |",
        "|" + "|".join("---" for _ in section.columns) + "|",
    ]
    lines += ["| " + " | ".join(_cell(c) for c in row.cells) + " |" for row in section.rows]
    return lines


def trace_lines(row: Row, trace: Trace) -> list[str]:
    """`- <row> — <figure>: <amount> = sum of N entries` then one line per entry."""
    head = " / ".join(c for c in row.cells[:3] if c)
    lines = [
        f"- {head} — {trace.label}: {amount(trace.figure)} = sum of {len(trace.sources)} "
        f"entr{'y' if len(trace.sources) == 1 else 'ies'}"
    ]
    lines += [
        f"  - {s.label} {s.day.isoformat()} {s.kind} {amount(s.amount)}" + (f" ({s.note})" if s.note else "")
        for s in trace.sources
    ]
    return lines


def ref_lines(row: Row) -> list[str]:
    """`- <row>: N records` then one line per record counted."""
    head = row.cells[0]
    return [f"- {head}: {len(row.refs)} record{'' if len(row.refs) == 1 else 's'}", *(f"  - {r}" for r in row.refs)]


def section_lines(section: Section, *, detail: bool) -> list[str]:
    lines = [f"## {section.title}", ""]
    if section.unavailable:
        lines += [f"Not available: {section.unavailable}.", ""]
        if section.notes:
            lines += [*(f"- {note}" for note in section.notes), ""]
        return lines
    lines += _table(section)
    lines.append("")
    if section.notes:
        lines += [f"- {note}" for note in section.notes]
        lines.append("")
    if not detail:
        return lines
    traces = [trace_lines(row, t) for row in section.rows for t in row.traces]
    traces += [ref_lines(row) for row in section.rows if row.refs]
    if traces:
        lines += ["Detail (the register entries and log records behind each figure):", ""]
        for block in traces:
            lines += block
        lines.append("")
    return lines


def render(report: Report, *, detail: bool = False) -> str:
    lines = [
        f"# {report.fund} — monthly report {report.month}",
        "",
        f"Period: {report.start.isoformat()} to {report.end.isoformat()} (end excluded).",
    ]
    if report.as_of is not None:
        lines.append(f"As of: {report.as_of.isoformat()}.")
    lines.append("")
    for section in report.sections:
        lines += section_lines(section, detail=detail)
    lines.append("Charts (daily inflows, reserve value) are drawn in the HTML form of this report.")
    return "\n".join(lines) + "\n"

"""The report as one self-contained HTML file: inline style, inline SVG charts, no script,
nothing fetched. With `detail`, each figure's entries sit in a <details> under its table."""

from __future__ import annotations

from html import escape

from desk.report.charts import svg
from desk.report.fmt import amount
from desk.report.model import Report, Section

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
td { font-variant-numeric: tabular-nums; }
.unavailable { color: #8a3b00; font-weight: 600; }
.note { color: #555; font-size: 0.85rem; }
svg { background: #fafafa; border: 1px solid #ddd; }
svg text { font-size: 11px; fill: #333; }
.axis { stroke: #888; } .bar { fill: #4a78b5; } .line { stroke: #2f7d32; stroke-width: 2; } .dot { fill: #2f7d32; }
""".strip()


def _section(section: Section, *, detail: bool) -> list[str]:
    out = [f'<section id="{escape(section.key)}">', f"<h2>{escape(section.title)}</h2>"]
    if section.unavailable:
        out.append(f'<p class="unavailable">Not available: {escape(section.unavailable)}.</p>')
        out += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
        out.append("</section>")
        return out
    out.append("<table>")
    out.append("<tr>" + "".join(f"<th>{escape(c)}</th>" for c in section.columns) + "</tr>")
    for row in section.rows:
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row.cells) + "</tr>")
    out.append("</table>")
    out += [f'<p class="note">{escape(note)}</p>' for note in section.notes]
    if detail:
        for row in section.rows:
            for trace in row.traces:
                head = " / ".join(c for c in row.cells[:3] if c)
                out.append(
                    f"<details><summary>{escape(head)} — {escape(trace.label)}: "
                    f"{escape(amount(trace.figure))} ({len(trace.sources)} entries)</summary><ul>"
                )
                out += [
                    f"<li>{escape(s.label)} {s.day.isoformat()} {escape(s.kind)} {escape(amount(s.amount))}"
                    + (f" ({escape(s.note)})" if s.note else "")
                    + "</li>"
                    for s in trace.sources
                ]
                out.append("</ul></details>")
            if row.refs:
                out.append(f"<details><summary>{escape(row.cells[0])}: {len(row.refs)} records</summary><ul>")
                out += [f"<li>{escape(ref)}</li>" for ref in row.refs]
                out.append("</ul></details>")
    out.append("</section>")
    return out


def render(report: Report, *, detail: bool = False) -> str:
    title = f"{report.fund} — monthly report {report.month}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(title)}</h1>",
        f"<p>Period: {escape(report.start.isoformat())} to {escape(report.end.isoformat())} (end excluded).</p>",
    ]
    if report.as_of is not None:
        out.append(f"<p>As of: {escape(report.as_of.isoformat())}.</p>")
    if report.charts:
        out.append('<section id="charts">')
        for chart in report.charts:
            out.append(f"<h2>{escape(chart.title)} ({escape(chart.unit)})</h2>")
            out.append(svg(chart))
            if chart.note:
                out.append(f'<p class="note">{escape(chart.note)}</p>')
        out.append("</section>")
    for section in report.sections:
        out += _section(section, detail=detail)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"

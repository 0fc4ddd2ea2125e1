"""The report as one CSV of a single shape, for spreadsheets and scripts.

Columns: record, section, row, column, value, seq, date, kind, amount, asset.
`record` is `meta` (report fields), `cell` (one table cell), `note`, `unavailable`,
`point` (a chart's data point) or, with `detail`, `source` (one entry behind a figure,
`column` naming the figure, `value` what else it contributes, e.g. its value at receipt)
and `ref` (one record a count was made of, e.g. an action of the approvals log).
"""

from __future__ import annotations

import csv
import io

from desk.report.model import Report

HEADER = ("record", "section", "row", "column", "value", "seq", "date", "kind", "amount", "asset")


def render(report: Report, *, detail: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)

    def put(record: str, section: str = "", row: str = "", column: str = "", value: str = "", *source: str) -> None:
        writer.writerow((record, section, row, column, value, *source, *("",) * (5 - len(source))))

    put("meta", "", "", "fund", report.fund)
    put("meta", "", "", "month", report.month)
    put("meta", "", "", "start", report.start.isoformat())
    put("meta", "", "", "end", report.end.isoformat())
    if report.as_of is not None:
        put("meta", "", "", "as_of", report.as_of.isoformat())
    for section in report.sections:
        if section.unavailable:
            put("unavailable", section.key, "", "", section.unavailable)
        for index, row in enumerate(section.rows, start=1):
            for column, cell in zip(section.columns, row.cells, strict=True):
                put("cell", section.key, str(index), column, cell)
            if detail:
                for trace in row.traces:
                    for s in trace.sources:
                        put(
                            "source",
                            section.key,
                            str(index),
                            trace.label,
                            s.note,
                            "" if s.seq is None else str(s.seq),
                            s.day.isoformat(),
                            s.kind,
                            format(s.amount.value, f".{s.amount.asset.precision}f"),
                            s.amount.asset.code,
                        )
                for ref in row.refs:
                    put("ref", section.key, str(index), section.columns[1] if len(section.columns) > 1 else "", ref)
        for note in section.notes:
            put("note", section.key, "", "", note)
    for chart in report.charts:
        for label, value in chart.points:
            put("point", chart.key, label, chart.unit, str(value))
    return out.getvalue()

"""One entry point for the three forms of the report."""

from __future__ import annotations

from desk.report import render_csv, render_html, render_md
from desk.report.model import Report

FORMATS = {"md": render_md.render, "html": render_html.render, "csv": render_csv.render}


def render(report: Report, fmt: str, *, detail: bool = False) -> str:
    """The report as text in `fmt` (md, html or csv); `detail` adds the entries behind
    every figure."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}") from None
    return writer(report, detail=detail)

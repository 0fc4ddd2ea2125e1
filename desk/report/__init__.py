"""The monthly report: `build_report` gathers it, `render(report, fmt, detail=...)` writes it."""

from desk.report.build import build_report
from desk.report.model import Chart, Report, Row, Section, Source, Trace
from desk.report.period import Month
from desk.report.render import FORMATS, render

__all__ = ["FORMATS", "Chart", "Month", "Report", "Row", "Section", "Source", "Trace", "build_report", "render"]

"""Charts as inline SVG drawn from the data alone: no script, no fonts to fetch, no network.

Coordinates are computed in Decimal and written to one decimal place, so the same data
always gives the same bytes.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from html import escape

from desk.report.model import Chart

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 96, 10, 20, 40
TENTH = Decimal("0.1")


def _n(value: Decimal | int) -> str:
    return str(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_EVEN))


def _frame(chart: Chart, body: list[str], top: Decimal, bottom: Decimal) -> str:
    plot_h = HEIGHT - TOP - BOTTOM
    first = chart.points[0][0] if chart.points else ""
    last = chart.points[-1][0] if chart.points else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)} ({escape(chart.unit)})</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" class="axis"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end">{escape(f"{top:,}")}</text>',
        f'<text x="{LEFT - 6}" y="{TOP + plot_h}" text-anchor="end">{escape(f"{bottom:,}")}</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 12}">{escape(first)}</text>',
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 12}" text-anchor="end">{escape(last)}</text>',
        *body,
        "</svg>",
    ]
    return "\n".join(parts)


def svg(chart: Chart) -> str:
    """The chart as one `<svg>` element. Bars stand on zero; a line spans its own range
    (lowest to highest value), so a reserve's daily moves are visible."""
    plot_w = Decimal(WIDTH - LEFT - RIGHT)
    plot_h = Decimal(HEIGHT - TOP - BOTTOM)
    values = [v for _, v in chart.points]
    top = max([v for v in values if v > 0], default=Decimal(0))
    bottom = Decimal(0)
    if chart.kind == "line" and values and min(values) < top:
        bottom = max(min(values), Decimal(0))
    scale = plot_h / (top - bottom) if top > bottom else Decimal(0)
    body: list[str] = []
    count = len(chart.points)
    if count and chart.kind == "bars":
        step = plot_w / count
        for i, (label, value) in enumerate(chart.points):
            h = max(value, Decimal(0)) * scale
            x = LEFT + step * i + step / 10
            body.append(
                f'<rect x="{_n(x)}" y="{_n(TOP + plot_h - h)}" width="{_n(step * 8 / 10)}" height="{_n(h)}" '
                f'class="bar"><title>{escape(label)}: {escape(str(value))} {escape(chart.unit)}</title></rect>'
            )
    elif count:
        step = plot_w / max(count - 1, 1)
        coords = [
            (LEFT + step * i, TOP + plot_h - (max(value, bottom) - bottom) * scale)
            for i, (_, value) in enumerate(chart.points)
        ]
        body.append(
            '<polyline class="line" fill="none" points="' + " ".join(f"{_n(x)},{_n(y)}" for x, y in coords) + '"/>'
        )
        for (x, y), (label, value) in zip(coords, chart.points, strict=True):
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2.5" class="dot"><title>{escape(label)}: '
                f"{escape(str(value))} {escape(chart.unit)}</title></circle>"
            )
    return _frame(chart, body, top, bottom)

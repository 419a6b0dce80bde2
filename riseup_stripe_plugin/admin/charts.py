"""
Charts drawn on the server as inline SVG: nothing loaded from outside the LMS, no JavaScript.

A chart is decoration for sighted readers; the figures it draws are also in a table
beside it (read by screen readers), so the SVG itself is hidden from them.
"""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 760, 280
LEFT, RIGHT, TOP, BOTTOM = 96, 16, 16, 44
CURRENT_COLOUR, PREVIOUS_COLOUR, GRID_COLOUR, NEGATIVE_COLOUR = "#417690", "#8a6d00", "#d8d8d8", "#ba2121"
MAX_LABELS = 8


def nice_step(span: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten, in minor units) giving about ``ticks`` grid lines."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor * ticks >= span:
                return step * factor
        step *= 10


def bar_chart(values: list[int], previous: list[int], labels: list[str], *, format_value, title: str,
              current_label: str, previous_label: str) -> str:
    """
    Bars for ``values`` (one per label), the ``previous`` period as a dashed line over them.

    ``format_value`` turns a value (minor units) into the text of an axis label.
    """
    count = max(len(values), 1)
    previous = (list(previous) + [0] * count)[:count]
    low = min(0, *values, *previous) if values else 0
    high = max(0, *values, *previous) if values else 0
    step = nice_step(max(high - low, 1))
    low, high = (low // step) * step, -(-high // step) * step  # out to whole steps
    if high == low:
        high = low + step
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: int) -> float:
        return round(TOP + plot_height * (high - value) / (high - low), 1)

    slot = plot_width / count
    parts = [
        format_html('<svg xmlns="http://www.w3.org/2000/svg" class="riseup-chart" viewBox="0 0 {} {}" '
                    'width="100%" preserveAspectRatio="xMidYMid meet" aria-hidden="true" focusable="false">',
                    WIDTH, HEIGHT),
        format_html("<title>{}</title>", title),
    ]
    tick = low
    while tick <= high:
        parts.append(format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="1"/>'
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#333">{}</text>',
            LEFT, WIDTH - RIGHT, y(tick), y(tick), GRID_COLOUR, LEFT - 6, y(tick) + 4, format_value(tick)))
        tick += step
    every = max(1, -(-count // MAX_LABELS))
    for index, value in enumerate(values):
        x = round(LEFT + slot * index + slot * 0.15, 1)
        top, bottom = (y(value), y(0)) if value >= 0 else (y(0), y(value))
        parts.append(format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>', x, top, round(slot * 0.7, 1),
            max(round(bottom - top, 1), 0), CURRENT_COLOUR if value >= 0 else NEGATIVE_COLOUR))
        if index % every == 0:
            parts.append(format_html(
                '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#333">{}</text>',
                round(LEFT + slot * (index + 0.5), 1), HEIGHT - BOTTOM + 16, labels[index]))
    points = " ".join(f"{round(LEFT + slot * (index + 0.5), 1)},{y(value)}" for index, value in enumerate(previous))
    if values:
        parts.append(format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>',
            points, PREVIOUS_COLOUR))
    legend_y = HEIGHT - 10
    parts.append(format_html(
        '<rect x="{}" y="{}" width="12" height="12" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12" fill="#333">{}</text>'
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>'
        '<text x="{}" y="{}" font-size="12" fill="#333">{}</text>',
        LEFT, legend_y - 10, CURRENT_COLOUR, LEFT + 18, legend_y, current_label,
        LEFT + 220, LEFT + 250, legend_y - 4, legend_y - 4, PREVIOUS_COLOUR, LEFT + 256, legend_y, previous_label))
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a constant closing tag
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - every part is escaped above


def no_data() -> str:
    return format_html('<p class="riseup-chart-empty">{}</p>', escape(_("No sales in this period.")))

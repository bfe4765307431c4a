"""Server-rendered SVG charts for the homes: pure functions from numbers to SVG markup.

No script and no outside service: the picture is drawn here, marked ``role="img"`` with
an ``aria-label`` saying what it shows, and every template that shows one puts the same
numbers beside it in a table, which is what a screen reader reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 400
ROW = 34  # one bar: its label above, the bar below
BAR = 14
# DKFDS colours: the primary blue, a lighter blue, the text colour, the grey of borders.
COLOURS = {"granted": "#0059b3", "recommended": "#7ca7d6", "text": "#1a1a1a", "line": "#747474"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    # The number as a person reads it ("12", "3,5 dage", "25.000,00 kr.").
    shown: str


def _scale(value: float, largest: float, width: float) -> float:
    if largest <= 0 or value <= 0:
        return 0.0
    return round(width * value / largest, 1)


def _svg(height: int, label: str, parts: list[SafeString]) -> SafeString:
    return format_html(
        '<svg class="pf-chart" viewBox="0 0 {w} {h}" width="100%" role="img" '
        'aria-label="{label}" preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg">{body}</svg>',
        w=WIDTH,
        h=height,
        label=label,
        body=format_html_join("", "{}", ((part,) for part in parts)),
    )


def bar_chart(bars: list[Bar], *, label: str) -> SafeString:
    """Horizontal bars, each with its label above and its number after it."""
    if not bars:
        return SafeString("")
    largest = max(b.value for b in bars)
    room = WIDTH - 90  # the number after the longest bar needs room
    parts = []
    for i, bar in enumerate(bars):
        top = i * ROW
        length = _scale(bar.value, largest, room)
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="12" fill="{text}">{}</text>'
                '<rect x="0" y="{}" width="{}" height="{}" fill="{fill}"></rect>'
                '<text x="{}" y="{}" font-size="12" fill="{text}">{}</text>',
                top + 12,
                bar.label,
                top + 16,
                length,
                BAR,
                length + 6,
                top + 27,
                bar.shown,
                text=COLOURS["text"],
                fill=COLOURS["granted"],
            )
        )
    return _svg(len(bars) * ROW + 4, label, parts)


def pool_gauge(
    *, pool: Decimal, granted: Decimal, recommended: Decimal, requested: Decimal, label: str
) -> SafeString:
    """The pool as a bar: granted filled, recommended (not yet decided) after it, lighter;
    a line marks the pool's end and a dashed one the amount requested, which may pass it."""
    largest = float(max(pool, granted + recommended, requested, Decimal("1")))
    room = WIDTH - 4
    used = _scale(float(granted), largest, room)
    end = _scale(float(pool), largest, room)
    asked = _scale(float(requested), largest, room)
    part = format_html(
        '<rect x="0" y="6" width="{end}" height="20" fill="#ffffff" stroke="{line}"></rect>'
        '<rect x="0" y="6" width="{used}" height="20" fill="{granted}"></rect>'
        '<rect x="{used}" y="6" width="{next}" height="20" fill="{recommended}"></rect>'
        '<line x1="{end}" y1="0" x2="{end}" y2="32" stroke="{text}" stroke-width="2"></line>'
        '<line x1="{asked}" y1="2" x2="{asked}" y2="30" stroke="{text}" stroke-width="2" '
        'stroke-dasharray="3 2"></line>',
        end=end,
        used=used,
        next=_scale(float(recommended), largest, room),
        asked=asked,
        line=COLOURS["line"],
        granted=COLOURS["granted"],
        recommended=COLOURS["recommended"],
        text=COLOURS["text"],
    )
    return _svg(34, label, [part])

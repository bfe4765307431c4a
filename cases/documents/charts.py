"""Plain charts as inline SVG, drawn on the server: no JavaScript, no CDN, nothing to load.

A chart is a picture of a table that stands next to it on the page, so it only has
to be readable, not interactive. Each ``<svg>`` has ``role="img"``, a ``<title>`` and
a ``<desc>`` it is labelled by, and every bar carries its own ``<title>`` with the
exact figure. Colours are presentation attributes (``fill="…"``), not ``style=``, so a
Content-Security-Policy without ``'unsafe-inline'`` styles draws them as well; they
come from Det Fælles Designsystem's palette and each reaches 3:1 against white
(WCAG 1.4.11).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# DKFDS: gray-500, blue-800, data-blue-600, data-orange-700.
GREY = "#707070"
BLUE = "#004D99"
LIGHT_BLUE = "#4292C6"
ORANGE = "#D94801"
TEXT = "#1a1a1a"
AXIS = "#BFBFBF"

WIDTH = 760
LABEL_WIDTH = 240
VALUE_WIDTH = 120
BAR = 14
GAP = 12
LEGEND = 28
LABEL_CHARS = 28

Number = Decimal | int


@dataclass
class Series:
    name: str
    colour: str
    values: Sequence[Number]


def amount_short(value: Number) -> str:
    """12.500 kr. — whole kroner are enough in a chart; the table has the øre."""
    amount = number_format(
        Decimal(value).quantize(Decimal("1")), 0, use_l10n=True, force_grouping=True
    )
    return _("DKK %(amount)s") % {"amount": amount}  # in the language's order, as money()


def count_short(value: Number) -> str:
    return number_format(int(value), 0, use_l10n=True, force_grouping=True)


def _lines(label: str) -> list[str]:
    """At most two lines of about ``LABEL_CHARS`` characters, broken between words."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LABEL_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [line if len(line) <= LABEL_CHARS else line[: LABEL_CHARS - 1] + "…" for line in lines]


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[Number], str] = amount_short,
) -> SafeString:
    """Horizontal bars, one group per category and one bar per series within it.

    Categories whose figures are all zero are left out of the picture (the table next
    to it still lists them); with nothing left, the chart says so in words.
    """
    keep = [i for i in range(len(categories)) if any(s.values[i] for s in series)]
    categories = [categories[i] for i in keep]
    series = [Series(s.name, s.colour, [s.values[i] for i in keep]) for s in series]
    per_group = max(len(series) * BAR, 30) + GAP  # room for a label on two lines
    top = LEGEND if len(series) > 1 else 6
    height = top + max(len(categories), 1) * per_group + 6
    largest = max((float(v) for s in series for v in s.values), default=0.0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_WIDTH) / largest if largest > 0 else 0.0
    parts: list[SafeString] = []
    if len(series) > 1:
        x = LABEL_WIDTH
        for s in series:
            parts.append(
                format_html(
                    '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                    '<text x="{}" y="15" font-size="13" fill="{}">{}</text>',
                    x,
                    s.colour,
                    x + 16,
                    TEXT,
                    s.name,
                )
            )
            x += 24 + 8 * len(s.name)
    for i, category in enumerate(categories):
        y0 = top + i * per_group
        lines = _lines(category)
        first = y0 + len(series) * BAR / 2 + 4 - (len(lines) - 1) * 8
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" text-anchor="end" fill="{}">'
                "<title>{}</title>{}</text>",
                LABEL_WIDTH - 8,
                first,
                TEXT,
                category,
                format_html_join(
                    "",
                    '<tspan x="{}" dy="{}">{}</tspan>',
                    ((LABEL_WIDTH - 8, 0 if k == 0 else 16, line) for k, line in enumerate(lines)),
                ),
            )
        )
        for j, s in enumerate(series):
            value = s.values[i]
            width = max(round(float(value) * scale, 1), 0.0)
            y = y0 + j * BAR
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {}</title></rect>"
                    '<text x="{}" y="{}" font-size="11" fill="{}">{}</text>',
                    LABEL_WIDTH,
                    y,
                    width,
                    BAR - 2,
                    s.colour,
                    s.name,
                    fmt(value),
                    LABEL_WIDTH + width + 4,
                    y + BAR - 4,
                    TEXT,
                    fmt(value),
                )
            )
    if not categories:
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                LABEL_WIDTH,
                top + 18,
                TEXT,
                _("No figures yet."),
            )
        )
    axis = format_html(
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>',
        LABEL_WIDTH,
        top - 2,
        LABEL_WIDTH,
        height - 4,
        AXIS,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {w} {h}" '
        'width="{w}" height="{h}" aria-labelledby="{id}-title {id}-desc" id="{id}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>'
        "{axis}{body}</svg>",
        w=WIDTH,
        h=height,
        id=chart_id,
        title=title,
        desc=description,
        axis=axis,
        body=mark_safe("".join(parts)),  # noqa: S308  (parts built by format_html)  # nosec B308, B703
    )


def money_series(rows: Sequence[Sequence[Number]]) -> list[Series]:
    """Requested / granted / paid / spent, from one ``[requested, granted, paid, spent]`` per row."""
    names = [_("Requested"), _("Granted"), _("Paid"), _("Spent")]
    colours = [GREY, BLUE, LIGHT_BLUE, ORANGE]
    return [
        Series(name, colour, [row[k] for row in rows])
        for k, (name, colour) in enumerate(zip(names, colours, strict=True))
    ]

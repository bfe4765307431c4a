"""The homes' SVG charts: pure functions, drawn to scale, labelled, escaped."""

from __future__ import annotations

import re
from decimal import Decimal

from web.home.charts import WIDTH, Bar, bar_chart, pool_gauge


def widths(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect x="[^"]+" y="[^"]+" width="([^"]+)"', svg)]


def test_a_bar_chart_is_an_image_with_a_label_and_bars_to_scale() -> None:
    svg = bar_chart(
        [Bar("Indsendt", 10, "10"), Bar("Bevilget", 5, "5"), Bar("Afslået", 0, "0")],
        label="Ansøgninger pr. status",
    )
    assert svg.startswith('<svg class="pf-chart"')
    assert 'role="img"' in svg and 'aria-label="Ansøgninger pr. status"' in svg
    longest, half, none = widths(svg)
    assert longest == WIDTH - 90
    assert half == longest / 2
    assert none == 0
    assert ">10</text>" in svg and ">Bevilget</text>" in svg


def test_a_bar_chart_escapes_its_words() -> None:
    svg = bar_chart([Bar("<script>x</script>", 1, "1 & 2")], label='a "label"')
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "1 &amp; 2" in svg
    assert 'aria-label="a &quot;label&quot;"' in svg


def test_no_bars_draw_nothing() -> None:
    assert bar_chart([], label="x") == ""


def test_the_pool_gauge_fills_what_is_granted_and_marks_the_pool_and_the_request() -> None:
    svg = pool_gauge(
        pool=Decimal("100000"),
        granted=Decimal("25000"),
        recommended=Decimal("25000"),
        requested=Decimal("200000"),
        label="Pulje",
    )
    room = WIDTH - 4
    pool, granted, recommended = widths(svg)
    # The request passes the pool: the scale is the request, the pool ends half way.
    assert pool == room / 2
    assert granted == recommended == room / 8
    asked = re.findall(r'<line x1="([^"]+)"', svg)
    assert [float(x) for x in asked] == [room / 2, room]


def test_an_empty_pool_draws_an_empty_gauge() -> None:
    svg = pool_gauge(
        pool=Decimal("0"),
        granted=Decimal("0"),
        recommended=Decimal("0"),
        requested=Decimal("0"),
        label="Tom",
    )
    assert widths(svg) == [0, 0, 0]

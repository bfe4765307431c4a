"""Issue 17, item 7: one amount input and one way of showing money.

The table is the rule: every input a person might type, in Danish and in English, and
what it becomes (or that it is refused). cases.formatting.parse_amount (the screens) and
static/js/bulk.js parseAmount (the bulk page's running totals) are both held to it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils.translation import override

from cases.formatting import AmountError, money, parse_amount
from web.applications.forms import AmountField

ROOT = Path(__file__).resolve().parent.parent.parent
REFUSED = None

# (language, typed, read as) — None: refused with a message showing the expected form.
TABLE: list[tuple[str, str, str | None]] = [
    # Danish notation
    ("da", "12.500,50", "12500.50"),
    ("da", "12500", "12500.00"),
    ("da", "12 500", "12500.00"),
    ("da", "12\u00a0500,50", "12500.50"),
    ("da", "12500,5", "12500.50"),
    ("da", "12.500", "12500.00"),
    ("da", "1.234.567,89", "1234567.89"),
    ("da", "0,01", "0.01"),
    ("da", "0", "0.00"),
    ("da", "  12500  ", "12500.00"),
    ("da", "12.500 kr.", "12500.00"),
    ("da", "12.500 kr", "12500.00"),
    ("da", "kr. 12.500,50", "12500.50"),
    ("da", "12.500 DKK", "12500.00"),
    ("da", "12.500,-", "12500.00"),
    # the plain notation of other systems: a point and one or two digits is no thousands
    ("da", "12500.50", "12500.50"),
    ("da", "12500.5", "12500.50"),
    # ambiguous or no amount: refused, never guessed
    ("da", "12.500.50", REFUSED),
    ("da", "1e5", REFUSED),
    ("da", "3,500.50", REFUSED),
    ("da", "12,500", REFUSED),  # three decimals: or did an English writer mean 12500?
    ("da", "12,505", REFUSED),
    ("da", "1.2500", REFUSED),
    ("da", "1234.567", REFUSED),
    ("da", "12 500.50", REFUSED),  # a space and a point: two thousands separators
    ("da", "12,5,0", REFUSED),
    ("da", ",50", REFUSED),
    ("da", "tyve tusind", REFUSED),
    ("da", "+12500", REFUSED),
    ("da", "12500 euro", REFUSED),
    ("da", "١٢٥٠٠", REFUSED),  # digits of another script
    ("da", "kr.", REFUSED),
    # English: the mirror image
    ("en", "12,500.50", "12500.50"),
    ("en", "12500", "12500.00"),
    ("en", "12 500", "12500.00"),
    ("en", "12500.5", "12500.50"),
    ("en", "12,500", "12500.00"),
    ("en", "1,234,567.89", "1234567.89"),
    ("en", "DKK 12,500", "12500.00"),
    ("en", "12,500 DKK", "12500.00"),
    ("en", "12500,50", "12500.50"),
    ("en", "12,500,50", REFUSED),
    ("en", "1e5", REFUSED),
    ("en", "3.500,50", REFUSED),
    ("en", "12.500", REFUSED),
    ("en", "12,500.505", REFUSED),
    ("en", "12.500,-", REFUSED),  # the Danish whole-kroner mark is Danish only
    ("en", "tyve tusind", REFUSED),
]


@pytest.mark.parametrize(("language", "typed", "expected"), TABLE)
def test_the_amount_rule(language: str, typed: str, expected: str | None) -> None:
    if expected is None:
        with override(language), pytest.raises(AmountError) as refused:
            parse_amount(typed)
        example = "12.500,50" if language == "da" else "12,500.50"
        assert example in str(refused.value)
    else:
        with override(language):
            assert parse_amount(typed) == Decimal(expected)


@pytest.mark.parametrize("language", ["da", "en"])
def test_negative_and_huge_amounts_are_refused_in_words(language: str) -> None:
    with override("en"):
        with pytest.raises(AmountError, match="negative"):
            parse_amount("-5", language)
        with pytest.raises(AmountError, match="too large"):
            parse_amount("10000000000", language)
    assert parse_amount("9999999999", language) == Decimal("9999999999.00")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node is not installed")
def test_the_bulk_pages_script_reads_every_amount_as_the_server_does() -> None:
    cases = [
        [typed, "," if lang == "da" else ".", "." if lang == "da" else ","]
        for lang, typed, _e in TABLE
    ]
    script = (
        "const {parseAmount} = require(process.argv[1]);"
        "const cases = JSON.parse(process.argv[2]);"
        "console.log(JSON.stringify(cases.map(c => parseAmount(c[0], c[1], c[2]))));"
    )
    run = subprocess.run(
        ["node", "-e", script, str(ROOT / "static/js/bulk.js"), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
    )
    ore = json.loads(run.stdout)
    expected = [None if e is None else int(Decimal(e) * 100) for _l, _t, e in TABLE]
    assert list(zip([t for _l, t, _e in TABLE], ore, strict=True)) == list(
        zip([t for _l, t, _e in TABLE], expected, strict=True)
    )


def test_the_amount_field_refuses_with_the_expected_form_next_to_the_field() -> None:
    field = AmountField(required=False)
    with override("da"):
        assert field.clean("12.500,50") == Decimal("12500.50")
        assert field.clean("") is None
        with pytest.raises(Exception) as refused:
            field.clean("12.500.50")
    assert refused.value.messages == [  # type: ignore[attr-defined]
        "»12.500.50« er ikke et beløb, vi kan læse. Skriv beløbet som 12.500,50."
    ]


def test_the_amount_field_shows_a_stored_amount_so_it_reads_back() -> None:
    field = AmountField(required=False)
    with override("da"):
        shown = field.widget.format_value(field.prepare_value(Decimal("12500.50")))
        assert field.clean(shown) == Decimal("12500.50")


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("da", "25000", "25.000,00 kr."),
        ("da", Decimal("0.5"), "0,50 kr."),
        ("da", Decimal("1234567.89"), "1.234.567,89 kr."),
        ("en", "25000", "DKK 25,000.00"),
        ("en", Decimal("0.5"), "DKK 0.50"),
        ("da", None, "–"),
        ("en", "", "–"),
    ],
)
def test_money_is_shown_the_way_the_language_writes_it(
    language: str, value: object, shown: str
) -> None:
    with override(language):
        assert money(value) == shown


# The placeholders that hold money() in the catalogue's messages.
MONEY_PLACEHOLDERS = "amount|requested|granted|pool|ceiling|total|spent|paid|left|unspent"


def test_a_danish_sentence_ending_on_an_amount_ends_on_the_abbreviations_full_stop() -> None:
    """'25.000,00 kr.' carries its own full stop; the Danish catalogue adds no second."""
    import re

    doubled = re.compile(rf"%\(({MONEY_PLACEHOLDERS})\)s\.")
    catalogue = (ROOT / "locale/da/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    in_msgstr, found = False, []
    for line in catalogue.splitlines():
        if line.startswith("msgstr"):
            in_msgstr = True
        elif not line.startswith('"'):
            in_msgstr = False
        if in_msgstr and doubled.search(line):
            found.append(line)
    assert found == []
    with override("da"):
        assert money("25000").endswith("kr.")

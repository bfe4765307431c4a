"""Money in and out: the one way an amount is shown, and the one way a screen reads one.

Shown: ``money`` gives "25.000,00 kr." in Danish and "DKK 25,000.00" in English, each the
way the language writes it (the order lives in the catalogue, msgid "DKK %(amount)s").

Read: ``parse_amount`` is the rule for every amount a person types on a screen
(web's ``AmountField``; static/js/bulk.js ``parseAmount`` mirrors it line for line, and
tests/cases/test_amounts.py holds both to one table). The API reads the strict, plain
notation of ``to_amount`` ("12500.50") and nothing else: its contract does not change.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def money(value: Any) -> str:
    """25.000,00 kr. in Danish, DKK 25,000.00 in English; a dash for nothing.

    Danish puts "kr." after the amount, so a Danish sentence that ends with an amount
    ends on the abbreviation's own full stop: the Danish catalogue writes no second one.
    """
    if value in (None, ""):
        return "–"
    amount = number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return _("DKK %(amount)s") % {"amount": amount}


# One below what a DecimalField(max_digits=12, decimal_places=2) stores.
MAX_AMOUNT = Decimal("10000000000")


class AmountError(ValueError):
    """Not an amount the system stores; ``str(error)`` says why, for the user."""


def to_amount(value: Any) -> Decimal:
    """A non-negative amount in kroner with øre, or AmountError with the reason."""
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise AmountError(_("Enter an amount in kroner, e.g. 12500.")) from None
    if not amount.is_finite() or amount < 0:
        raise AmountError(_("The amount cannot be negative."))
    if amount >= MAX_AMOUNT:
        raise AmountError(_("The amount is too large."))
    return amount


# --- reading what a person typed ------------------------------------------------------------

# The currency may stand before or after the number ("kr. 12.500", "12.500 kr.", "DKK 12,500");
# Danish whole kroner may end ",-" ("12.500,-"). Nothing else but digits, separators, spaces.
_CURRENCY = re.compile(r"^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk)$", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DIGITS = re.compile(r"[0-9]+")


def _separators(language: str | None) -> tuple[str, str]:
    """(decimal sign, thousands separator) of the language: Danish ',' '.', English '.' ','."""
    if (language or "").split("-")[0] == "en":
        return ".", ","
    return ",", "."


def _grouped(whole: str, thousands: str) -> str | None:
    """'12.500' -> '12500' when every group after the first has exactly three digits."""
    groups = whole.split(thousands)
    first, rest = groups[0], groups[1:]
    if not _DIGITS.fullmatch(first) or (rest and len(first) > 3):
        return None
    if any(len(g) != 3 or not _DIGITS.fullmatch(g) for g in rest):
        return None
    return "".join(groups)


def amount_example(language: str | None = None) -> str:
    """How the language writes twelve thousand five hundred kroner and fifty øre."""
    decimal, thousands = _separators(language or get_language())
    return f"12{thousands}500{decimal}50"


def parse_amount(text: str, language: str | None = None) -> Decimal:
    """An amount typed on a screen, in the language's notation, or AmountError saying how
    to write it. ``language`` defaults to the active one.

    Danish (English is the mirror image, with '.' and ',' swapped):

    - "12.500,50", "12500,50", "12500,5", "12500", "12 500", "12.500" are all read;
      "kr."/"kr"/"DKK" before or after and a Danish ",-" for whole kroner are ignored.
    - Thousands separators ('.' or a space) must stand between groups of three digits:
      "12.500.50" and "1.2500" are refused, never guessed.
    - At most two decimals (øre): "12,500" is refused in Danish — three decimals are no
      amount, and an English writer may have meant twelve thousand five hundred.
    - The plain notation of other systems, "12500.50", is read: a point followed by one or
      two digits and nothing else can be no Danish thousands separator.
    - Mixed signs ("3,500.50" in Danish), exponents ("1e5"), signs and letters are refused.
    - Negative amounts and amounts of ten billion or more are refused, as in ``to_amount``.
    """
    language = language or get_language()
    decimal, thousands = _separators(language)
    example = amount_example(language)
    value = _SPACES.sub(" ", str(text)).strip()
    value = _CURRENCY.sub("", value).strip()
    if decimal == "," and value.endswith(",-"):
        value = value[:-2]
    if value.startswith("-") and _DIGITS.search(value):
        raise AmountError(_("The amount cannot be negative."))
    refused = AmountError(
        _("“%(value)s” is not an amount we can read. Write the amount as %(example)s.")
        % {"value": str(text).strip()[:40], "example": example}
    )
    # A space is a thousands separator, but only one kind of separator per number.
    if " " in value:
        if thousands in value:
            raise refused
        value = value.replace(" ", thousands)
    plain = re.fullmatch(rf"([0-9]+){re.escape(thousands)}([0-9]{{1,2}})", value)
    if plain:  # "12500.50" in Danish, "12500,50" in English
        whole, fraction = plain.group(1), plain.group(2)
    else:
        whole, _sep, fraction = value.partition(decimal)
        if _sep and not re.fullmatch(r"[0-9]{1,2}", fraction):
            raise refused
        grouped = _grouped(whole, thousands)
        if grouped is None:
            raise refused
        whole = grouped
    amount = Decimal(f"{whole}.{fraction or '0'}").quantize(Decimal("0.01"))
    if amount >= MAX_AMOUNT:
        raise AmountError(_("The amount is too large."))
    return amount

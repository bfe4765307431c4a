from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def money(value: Any) -> str:
    """kr. 12.500,00 in Danish, DKK 12,500.00 in English; a dash for nothing.

    The currency goes first so a sentence can end after the amount with one full stop.
    """
    if value in (None, ""):
        return "–"
    amount = number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    currency = _("DKK")
    return f"{currency} {amount}"


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

from __future__ import annotations

from decimal import Decimal
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

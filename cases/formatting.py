from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import number_format


def money(value: Any) -> str:
    """12.500,00 kr. in Danish, 12,500.00 kr. in English; a dash for nothing."""
    if value in (None, ""):
        return "–"
    return f"{number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)} kr."

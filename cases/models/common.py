"""What every domain model shares: money fields and a version row per change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.validators import MinValueValidator
from simple_history.models import HistoricalRecords

from cases.trail.history import audited_history

MONEY: dict[str, Any] = {
    "max_digits": 12,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0"))],
}


def history() -> HistoricalRecords:
    return audited_history()

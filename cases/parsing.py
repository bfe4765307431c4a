"""Parsing what a person or a client sends, by one set of rules for the screens and the API.

``parse_int`` is the only way a request's text becomes an integer: ``str.isdigit()``
accepts "²" and other Unicode digits, which ``int()`` then refuses, and ``int()`` refuses
strings of more than 4,300 digits — both were a 500 on nine pages (issue 15).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import limits

_DIGITS = re.compile(r"[0-9]+")
_SIGNED = re.compile(r"-?[0-9]+")


def parse_int(
    value: Any,
    *,
    minimum: int | None = 0,
    maximum: int | None = limits.MAX_INT,
    signed: bool = False,
) -> int | None:
    """``value`` as an int when it is ASCII digits (a leading "-" only if ``signed``) of at
    most ``limits.INTEGER_DIGITS`` digits, within ``minimum``…``maximum``; otherwise None.

    An int passes as it is (range checked); a bool, a float or anything else is None.
    Surrounding whitespace is ignored, as a form field would.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > limits.INTEGER_DIGITS + 1:
            return None
        if not (_SIGNED if signed else _DIGITS).fullmatch(text):
            return None
        number = int(text)
    else:
        return None
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def parse_id(value: Any) -> int | None:
    """A database id (1…``limits.MAX_INT``) sent as text, or None."""
    return parse_int(value, minimum=1)


def date_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The first and the last date a person may enter (``cases.limits``)."""
    today = today or timezone.localdate()
    try:
        latest = today.replace(year=today.year + limits.YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + limits.YEARS_AHEAD, day=28)
    return datetime.date(limits.EARLIEST_YEAR, 1, 1), latest


def validate_date_window(value: Any) -> None:
    """Refuse a typed date outside ``date_window()`` (year 1, year 9999), in words."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    earliest, latest = date_window()
    if not earliest <= day <= latest:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_window",
            params={
                "earliest": formats.date_format(earliest, "DATE_FORMAT"),
                "latest": formats.date_format(latest, "DATE_FORMAT"),
            },
        )


def too_long(limit: int, length: int) -> str:
    """A text's refusal in the words (and translations) of Django's own length check."""
    return ngettext(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        limit,
    ) % {"limit_value": limit, "show_value": length}

"""Danish working days: what offentlighedslovens § 36 counts its 7 days in.

Pure functions, no database: the Danish public holidays (helligdage) of a year, the
Easter Sunday they hang on (the Gregorian computus), and counting working days forward
and back. Saturdays and Sundays are never working days. A municipality may also keep
5 June (Grundlovsdag), 24 December and 31 December closed; those are passed in as
``closed`` dates, since they are the municipality's choice, not the law's.

Store bededag (the fourth Friday after Easter) was abolished as a public holiday from
2024 (lov nr. 203 af 28. februar 2023); it counts only for years before that.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache

Date = datetime.date

# The last year store bededag was a public holiday.
LAST_STORE_BEDEDAG = 2023


def easter_sunday(year: int) -> Date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm,
    Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return Date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[Date, str]:
    """The Danish public holidays of ``year``, by date, with their Danish names."""
    easter = easter_sunday(year)

    def after_easter(days: int) -> Date:
        return easter + datetime.timedelta(days=days)

    holidays = {
        Date(year, 1, 1): "Nytårsdag",
        after_easter(-3): "Skærtorsdag",
        after_easter(-2): "Langfredag",
        easter: "Påskedag",
        after_easter(1): "2. påskedag",
        after_easter(39): "Kristi himmelfartsdag",
        after_easter(49): "Pinsedag",
        after_easter(50): "2. pinsedag",
        Date(year, 12, 25): "Juledag",
        Date(year, 12, 26): "2. juledag",
    }
    if year <= LAST_STORE_BEDEDAG:
        holidays[after_easter(26)] = "Store bededag"
    return holidays


def optional_closed_days(
    year: int, *, constitution_day: bool, christmas_eve: bool, new_years_eve: bool
) -> set[Date]:
    """The days a municipality may choose to keep closed: 5 June, 24 and 31 December."""
    days = set()
    if constitution_day:
        days.add(Date(year, 6, 5))
    if christmas_eve:
        days.add(Date(year, 12, 24))
    if new_years_eve:
        days.add(Date(year, 12, 31))
    return days


def is_working_day(day: Date, closed: Iterable[Date] = ()) -> bool:
    """Monday to Friday, not a public holiday, not one of ``closed``."""
    return day.weekday() < 5 and day not in public_holidays(day.year) and day not in set(closed)


def add_working_days(start: Date, count: int, closed: Iterable[Date] = ()) -> Date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted);
    a negative ``count`` goes back. ``count`` 0 gives ``start``."""
    closed_days = set(closed)
    step = datetime.timedelta(days=1 if count >= 0 else -1)
    day, left = start, abs(count)
    while left:
        day += step
        if is_working_day(day, closed_days):
            left -= 1
    return day

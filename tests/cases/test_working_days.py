"""Danish working days for offentlighedslovens § 36: Easter by the computus, the public
holidays, the municipality's own closed days, and the 7-working-day deadline."""

from __future__ import annotations

import datetime

import pytest

from cases.working_days import (
    add_working_days,
    easter_sunday,
    is_working_day,
    optional_closed_days,
    public_holidays,
)

D = datetime.date


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (1818, D(1818, 3, 22)),  # the earliest possible date
        (1943, D(1943, 4, 25)),  # the latest possible date
        (2000, D(2000, 4, 23)),
        (2019, D(2019, 4, 21)),
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2028, D(2028, 4, 16)),
        (2038, D(2038, 4, 25)),
    ],
)
def test_easter_sunday_by_the_computus(year: int, easter: datetime.date) -> None:
    assert easter_sunday(year) == easter


def test_the_public_holidays_of_2027() -> None:
    assert public_holidays(2027) == {
        D(2027, 1, 1): "Nytårsdag",
        D(2027, 3, 25): "Skærtorsdag",
        D(2027, 3, 26): "Langfredag",
        D(2027, 3, 28): "Påskedag",
        D(2027, 3, 29): "2. påskedag",
        D(2027, 5, 6): "Kristi himmelfartsdag",
        D(2027, 5, 16): "Pinsedag",
        D(2027, 5, 17): "2. pinsedag",
        D(2027, 12, 25): "Juledag",
        D(2027, 12, 26): "2. juledag",
    }


def test_store_bededag_counts_until_2023_and_not_from_2024() -> None:
    assert public_holidays(2023)[D(2023, 5, 5)] == "Store bededag"
    assert "Store bededag" not in public_holidays(2024).values()
    assert is_working_day(D(2024, 4, 26))  # the Friday that would have been store bededag


def test_weekends_are_not_working_days() -> None:
    assert not is_working_day(D(2027, 1, 9))  # Saturday
    assert not is_working_day(D(2027, 1, 10))  # Sunday
    assert is_working_day(D(2027, 1, 11))  # Monday


def test_seven_working_days_in_an_ordinary_week() -> None:
    # Received Monday 11 January 2027: Tue..Fri (4), Mon..Wed (3) -> Wednesday 20 January.
    assert add_working_days(D(2027, 1, 11), 7) == D(2027, 1, 20)


def test_a_request_on_the_thursday_before_easter() -> None:
    # Received on skærtorsdag 2027 (25 March): langfredag, the weekend, påskedag and
    # 2. påskedag do not count; Tue 30 March is the first working day.
    assert add_working_days(D(2027, 3, 25), 7) == D(2027, 4, 7)
    # Received the Wednesday before: the same deadline, the holidays skipped alike.
    assert add_working_days(D(2027, 3, 24), 7) == D(2027, 4, 7)
    # 2026: Easter Sunday 5 April; received Thursday 2 April (skærtorsdag).
    assert add_working_days(D(2026, 4, 2), 7) == D(2026, 4, 15)


def test_across_christmas_and_new_year_without_closed_days() -> None:
    # Received Monday 20 December 2027. Working: 21, 22, 23, 24 (Fri), 27, 28, 29 -> 29 Dec.
    assert add_working_days(D(2027, 12, 20), 7) == D(2027, 12, 29)


def test_across_christmas_and_new_year_with_the_municipalitys_closed_days() -> None:
    closed = optional_closed_days(
        2027, constitution_day=True, christmas_eve=True, new_years_eve=True
    ) | optional_closed_days(2028, constitution_day=True, christmas_eve=True, new_years_eve=True)
    # 21, 22, 23 (24 closed; 25/26 weekend and holidays), 27, 28, 29, 30 (31 closed) -> 30 Dec.
    assert add_working_days(D(2027, 12, 20), 7, closed) == D(2027, 12, 30)
    # Received 23 December: 27, 28, 29, 30, (31 closed, 1 Jan holiday, weekend) 3, 4, 5 Jan.
    assert add_working_days(D(2027, 12, 23), 7, closed) == D(2028, 1, 5)


def test_constitution_day_only_when_the_municipality_closes() -> None:
    # Received Thursday 31 May 2029 (5 June is a Tuesday; in 2028 it is 2. pinsedag).
    assert add_working_days(D(2029, 5, 31), 7) == D(2029, 6, 11)
    closed = optional_closed_days(
        2029, constitution_day=True, christmas_eve=False, new_years_eve=False
    )
    assert closed == {D(2029, 6, 5)}
    assert add_working_days(D(2029, 5, 31), 7, closed) == D(2029, 6, 12)


def test_counting_back_two_working_days_skips_the_same_days() -> None:
    assert add_working_days(D(2027, 4, 7), -2) == D(2027, 4, 5)
    assert add_working_days(D(2027, 3, 30), -2) == D(2027, 3, 23)  # over Easter
    assert add_working_days(D(2027, 3, 30), 0) == D(2027, 3, 30)

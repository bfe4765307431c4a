"""The worked examples of docs/allocation.md, number for number: if a rule changes, the
documentation's tables change with it."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from cases.allocation import AllocationError, Item, Limits, Method, allocate

# Five applications (id, requested, rank, focus area): Ensomhed is area 10, Børn og unge 20.
ITEMS = [
    Item(1, D(40000), 1, 10),
    Item(2, D(25000), 2, 20),
    Item(3, D(20000), 3, 10),
    Item(4, D(10000), 4, None),
    Item(5, D(5000), 5, 20),
]
POOL = D(60000)


def amounts(*args: object, **kwargs: object) -> list[tuple[int, int, str]]:
    result = allocate(ITEMS, *args, **kwargs)  # type: ignore[arg-type]
    return [(row.id, int(row.amount), row.note.value) for row in result.rows]


def test_example_1_pro_rata() -> None:
    # 60.000 of 100.000 requested: every request cut to 60 %.
    assert amounts(POOL, Method.PRO_RATA) == [
        (1, 24000, "cut"),
        (2, 15000, "cut"),
        (3, 12000, "cut"),
        (4, 6000, "cut"),
        (5, 3000, "cut"),
    ]


def test_example_2_by_priority() -> None:
    assert amounts(POOL, Method.PRIORITY) == [
        (1, 40000, "full"),
        (2, 20000, "cut"),
        (3, 0, "no_money"),
        (4, 0, "no_money"),
        (5, 0, "no_money"),
    ]


def test_example_3_pro_rata_with_a_minimum() -> None:
    # At 60 % item 5 would get 3.000 < 5.000: refused; the others share its money (63,3 %),
    # rounded down to hundreds, and the hundreds left go by largest remainder.
    assert amounts(POOL, Method.PRO_RATA, Limits(minimum=D(5000))) == [
        (1, 25300, "cut"),
        (2, 15800, "cut"),
        (3, 12600, "cut"),
        (4, 6300, "cut"),
        (5, 0, "below_minimum"),
    ]
    # With 40.000 the smallest goes first (item 5), then item 4 is still below: refused too.
    assert amounts(D(40000), Method.PRO_RATA, Limits(minimum=D(5000))) == [
        (1, 18800, "cut"),
        (2, 11800, "cut"),
        (3, 9400, "cut"),
        (4, 0, "below_minimum"),
        (5, 0, "below_minimum"),
    ]


def test_example_4_by_priority_with_a_minimum_passes_the_money_down() -> None:
    # 40.000 to item 1; 20.000 left: item 2 gets 20.000 (above 8.000); nothing left. Item 5
    # asks for less than the minimum: refused whatever the pool.
    assert amounts(POOL, Method.PRIORITY, Limits(minimum=D(8000))) == [
        (1, 40000, "full"),
        (2, 20000, "cut"),
        (3, 0, "no_money"),
        (4, 0, "no_money"),
        (5, 0, "below_minimum"),
    ]
    # Pool 45.000: the 5.000 left after item 1 is below the minimum for item 2 (refused), and
    # goes on down the ranking: items 3 and 4 would get less than 8.000 too.
    assert amounts(D(45000), Method.PRIORITY, Limits(minimum=D(8000))) == [
        (1, 40000, "full"),
        (2, 0, "below_minimum"),
        (3, 0, "below_minimum"),
        (4, 0, "below_minimum"),
        (5, 0, "below_minimum"),
    ]


def test_example_5_a_ceiling() -> None:
    assert amounts(POOL, Method.PRO_RATA, Limits(ceiling=D(15000))) == [
        (1, 15000, "full"),
        (2, 15000, "full"),
        (3, 15000, "full"),
        (4, 10000, "full"),
        (5, 5000, "full"),
    ]


def test_example_6_a_share_for_a_focus_area() -> None:
    # Ensomhed (items 1 and 3, 60.000 requested) has half the pool: 30.000, i.e. 50 %;
    # the rest (items 2, 4, 5; 40.000 requested) shares the other 30.000: 75 %.
    assert amounts(POOL, Method.PRO_RATA, Limits(shares={10: D("0.5")})) == [
        (1, 20000, "cut"),
        (2, 18800, "cut"),
        (3, 10000, "cut"),
        (4, 7500, "cut"),
        (5, 3700, "cut"),
    ]
    # Børn og unge (items 2 and 5, 30.000 requested) has half: it needs only 30.000, gets it
    # in full, and nothing flows back; the rest shares 30.000 of 70.000 requested (42,9 %).
    assert amounts(POOL, Method.PRO_RATA, Limits(shares={20: D("0.5")})) == [
        (1, 17100, "cut"),
        (2, 25000, "full"),
        (3, 8600, "cut"),
        (4, 4300, "cut"),
        (5, 5000, "full"),
    ]
    # Børn og unge with 80 %: it needs 30.000 of its 48.000; the 18.000 unused flows back.
    assert amounts(POOL, Method.PRO_RATA, Limits(shares={20: D("0.8")})) == amounts(
        POOL, Method.PRO_RATA, Limits(shares={20: D("0.5")})
    )


def test_example_7_the_chair_fixes_two_amounts_and_the_rest_moves() -> None:
    # Item 1 in full, item 5 refused: 20.000 left for 55.000 requested (36,4 %).
    assert amounts(POOL, Method.PRO_RATA, fixed={1: D(40000), 5: D(0)}) == [
        (1, 40000, "fixed"),
        (2, 9100, "cut"),
        (3, 7300, "cut"),
        (4, 3600, "cut"),
        (5, 0, "fixed"),
    ]


def test_example_8_largest_remainder_and_its_tie() -> None:
    three = [Item(1, D(10000), 1), Item(2, D(10000), 2), Item(3, D(10000), 3)]
    result = allocate(three, D(10000), Method.PRO_RATA)
    # 3.333,33 each: 3.300 each, and the one hundred left goes to the best ranked.
    assert [int(r.amount) for r in result.rows] == [3400, 3300, 3300]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"pool": D(-1)},
        {"limits": Limits(minimum=D(-1))},
        {"limits": Limits(shares={10: D("0.6"), 20: D("0.6")})},
        {"fixed": {1: D(50000)}},
        {"fixed": {99: D(0)}},
    ],
)
def test_it_refuses_input_it_cannot_work_with(kwargs: dict[str, object]) -> None:
    args = {"items": ITEMS, "pool": POOL, "method": Method.PRO_RATA, **kwargs}
    with pytest.raises(AllocationError):
        allocate(**args)  # type: ignore[arg-type]


def test_a_minimum_with_oere_is_not_undercut() -> None:
    # 5.000 would be below a minimum of 5.000,50: refused, not granted.
    two = [Item(1, D(5000), 1), Item(2, D(20000), 2)]
    result = allocate(two, D(25000), Method.PRO_RATA, Limits(minimum=D("5000.50")))
    assert [int(r.amount) for r in result.rows] == [0, 20000]

"""The allocation assistant's promises, for random pools, requests and limits (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.allocation import Item, Limits, Method, Note, allocate, cap_of

AREAS = (1, 2, 3)

requests = st.integers(min_value=0, max_value=200_000).map(Decimal)
items_strategy = st.lists(
    st.tuples(requests, st.integers(1, 20), st.sampled_from((None, *AREAS))),
    min_size=0,
    max_size=14,
).map(
    lambda rows: [
        Item(id=n + 1, requested=req, rank=rank, area=area)
        for n, (req, rank, area) in enumerate(rows)
    ]
)
pools = st.integers(min_value=0, max_value=1_500_000).map(Decimal)
methods = st.sampled_from(list(Method))
hundreds = st.integers(0, 500).map(lambda n: Decimal(n * 100))
shares = st.dictionaries(
    st.sampled_from(AREAS), st.integers(0, 33).map(lambda n: Decimal(n) / 100), max_size=3
)
limits_strategy = st.builds(
    Limits,
    minimum=st.one_of(
        st.just(Decimal(0)),
        hundreds.map(lambda d: d / 10),
        st.integers(0, 5_000_000).map(lambda n: Decimal(n) / 100),  # with øre
    ),
    ceiling=st.one_of(st.none(), hundreds),
    shares=st.one_of(st.just({}), shares),
)


@st.composite
def scenes(draw: st.DrawFn, with_fixed: bool = True) -> tuple:
    items = draw(items_strategy)
    pool = draw(pools)
    fixed = {}
    if with_fixed and items:
        for item in draw(st.lists(st.sampled_from(items), max_size=3, unique_by=lambda i: i.id)):
            fixed[item.id] = Decimal(draw(st.integers(0, int(item.requested))))
    return items, pool, draw(methods), draw(limits_strategy), fixed


@settings(max_examples=200, deadline=None)
@given(scenes())
def test_the_sum_never_exceeds_the_pool(scene: tuple) -> None:
    items, pool, method, limits, fixed = scene
    result = allocate(items, pool, method, limits, fixed)
    if sum(fixed.values(), Decimal(0)) <= pool:
        assert result.used <= pool
    else:  # the chair's own amounts exceed it: the assistant adds nothing
        assert all(row.amount == 0 for row in result.rows if row.note != Note.FIXED)


@settings(max_examples=200, deadline=None)
@given(scenes())
def test_no_grant_above_its_request_or_the_ceiling_nor_below_the_minimum(scene: tuple) -> None:
    items, pool, method, limits, fixed = scene
    result = allocate(items, pool, method, limits, fixed)
    by_id = {item.id: item for item in items}
    for row in result.rows:
        if row.id in fixed:
            assert row.amount == fixed[row.id] and row.note == Note.FIXED
            continue
        assert 0 <= row.amount <= row.requested
        assert row.amount <= cap_of(by_id[row.id], limits)
        if limits.ceiling is not None:
            assert row.amount <= limits.ceiling
        assert row.amount == 0 or row.amount >= limits.minimum
        assert row.amount % 100 == 0  # whole hundreds


@settings(max_examples=200, deadline=None)
@given(scenes(), st.randoms(use_true_random=False))
def test_it_is_deterministic_and_the_order_of_the_items_does_not_matter(
    scene: tuple, random: object
) -> None:
    items, pool, method, limits, fixed = scene
    shuffled = list(items)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    first = allocate(items, pool, method, limits, fixed)
    assert allocate(items, pool, method, limits, fixed) == first
    assert allocate(shuffled, pool, method, limits, fixed) == first


@settings(max_examples=200, deadline=None)
@given(scenes(with_fixed=False))
def test_pro_rata_is_monotone_a_larger_request_never_gets_less(scene: tuple) -> None:
    items, pool, _method, limits, _fixed = scene
    # Within one part of the pool: the focus areas' shares make parts of different sizes.
    limits = Limits(minimum=limits.minimum, ceiling=limits.ceiling)
    result = allocate(items, pool, Method.PRO_RATA, limits)
    for smaller in result.rows:
        for larger in result.rows:
            if larger.requested > smaller.requested:
                assert larger.amount >= smaller.amount, (smaller, larger)


@settings(max_examples=200, deadline=None)
@given(scenes(with_fixed=False))
def test_money_is_not_left_when_someone_could_still_use_it(scene: tuple) -> None:
    """Without a minimum or shares, what is left is less than a hundred per item that
    wanted more (pro rata) or less than a hundred at all (by priority)."""
    items, pool, method, limits, _fixed = scene
    limits = Limits(ceiling=limits.ceiling)
    result = allocate(items, pool, method, limits)
    wanting = [
        row
        for row, item in zip(result.rows, sorted(items, key=lambda i: (i.rank, i.id)), strict=True)
        if row.amount < cap_of(item, limits)
    ]
    if wanting:
        assert result.left < 100 * (len(wanting) if method == Method.PRO_RATA else 1)

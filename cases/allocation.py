"""The allocation assistant's arithmetic: fitting an agenda's requests to the pool left.

Pure functions, no database: dataclasses in, dataclasses out, money as ``Decimal`` and
exact fractions inside, every grant in whole hundreds of kroner. The selector
(``cases.selectors.allocation``) gathers the items; the screen (web/allocation) shows
the result; docs/allocation.md has the rules with worked examples.

Methods:

- ``pro_rata``: every grant cut by the same share of its request (capped at the ceiling
  and at the request), rounded down to whole hundreds; the hundreds left go one each by
  largest remainder (ties: the better rank, then the lower id).
- ``priority``: down the ranking, each item gets its request in full while the money
  lasts; the first that does not fit gets what is left, rounded down to hundreds.

Limits, with either method: a ``minimum`` grant (an item that would get less is refused,
0, and its money goes to the others: under pro rata the share rises, under priority
the money goes further down the ranking); a ``ceiling`` per application; ``shares`` of
the pool per focus area (see ``_group_budgets`` for how unused shares flow back).

Manual overrides: an item's amount fixed by the chair (0 refuses it) is kept as it is,
and the rest is fitted to what is left of the pool.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from django.utils.translation import gettext as _

K = TypeVar("K", bound=Hashable)

HUNDRED = 100
ZERO = Decimal(0)


class Method(enum.StrEnum):
    PRO_RATA = "pro_rata"
    PRIORITY = "priority"


class Note(enum.StrEnum):
    """Why an item got what it got."""

    FULL = "full"  # the request (or the ceiling) in full
    CUT = "cut"  # less than its cap
    BELOW_MINIMUM = "below_minimum"  # refused: its grant would have been below the minimum
    NO_MONEY = "no_money"  # nothing left for it
    FIXED = "fixed"  # the chair fixed the amount


@dataclass(frozen=True)
class Item:
    """One application on the agenda. ``rank``: 1 is first in line (lower is better);
    ``area``: the focus area it counts under for the area shares (None: none)."""

    id: int
    requested: Decimal
    rank: int
    area: int | None = None


@dataclass(frozen=True)
class Limits:
    """``minimum``: the smallest grant (0: none); ``ceiling``: the most one application
    gets (None: its request); ``shares``: focus area -> its fraction of the pool (0–1)."""

    minimum: Decimal = ZERO
    ceiling: Decimal | None = None
    shares: Mapping[int, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposal:
    id: int
    requested: Decimal
    amount: Decimal
    note: Note


@dataclass(frozen=True)
class Allocation:
    method: Method
    pool: Decimal
    rows: tuple[Proposal, ...]  # in ranking order

    @property
    def used(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)

    @property
    def left(self) -> Decimal:
        return self.pool - self.used

    def amounts(self) -> dict[int, Decimal]:
        return {row.id: row.amount for row in self.rows}


class AllocationError(ValueError):
    """Input the assistant cannot work with (a negative pool, an unknown id, …)."""


def floor_hundreds(value: Fraction | Decimal) -> int:
    """Whole kroner, rounded down to a multiple of 100 (as an int)."""
    return int(Fraction(value) // HUNDRED) * HUNDRED


def cap_of(item: Item, limits: Limits) -> int:
    """The most an item can get: its request or the ceiling, in whole hundreds."""
    top = item.requested if limits.ceiling is None else min(item.requested, limits.ceiling)
    return max(floor_hundreds(top), 0)


def allocate(
    items: Iterable[Item],
    pool: Decimal,
    method: Method | str,
    limits: Limits | None = None,
    fixed: Mapping[int, Decimal] | None = None,
) -> Allocation:
    """Fit ``items`` to ``pool`` by ``method`` within ``limits``; ``fixed`` amounts
    (application id -> amount; 0 refuses) stay as the chair set them.

    The sum never exceeds the pool unless the fixed amounts alone do (then every other
    item gets 0). The order of ``items`` does not matter: they are taken by rank, then id.
    """
    method = Method(method)
    limits = limits or Limits()
    fixed = dict(fixed or {})
    ordered = sorted(items, key=lambda i: (i.rank, i.id))
    _check(ordered, pool, limits, fixed)
    available = Fraction(pool) - sum((Fraction(v) for v in fixed.values()), Fraction(0))
    free = [item for item in ordered if item.id not in fixed]
    caps = {item.id: cap_of(item, limits) for item in free}
    # An item whose cap is below the minimum can never get a grant.
    minimum = math.ceil(limits.minimum)  # grants are whole kroner: 5.000,50 means 5.001
    eligible = [item for item in free if caps[item.id] > 0 and caps[item.id] >= minimum]
    amounts: dict[int, int] = {}
    # Refused for the minimum: those whose cap is below it, and those the method refuses.
    below = {item.id for item in free if 0 < caps[item.id] < minimum}
    if available > 0 and eligible:
        for group, budget in _group_budgets(eligible, caps, available, limits).items():
            fit = _pro_rata if method == Method.PRO_RATA else _priority
            amounts.update(fit(group, caps, budget, minimum, below))
    rows = []
    for item in ordered:
        if item.id in fixed:
            rows.append(Proposal(item.id, item.requested, Decimal(fixed[item.id]), Note.FIXED))
            continue
        got = amounts.get(item.id, 0)
        rows.append(Proposal(item.id, item.requested, Decimal(got), _note(item, got, caps, below)))
    return Allocation(method=method, pool=pool, rows=tuple(rows))


def _note(item: Item, got: int, caps: Mapping[int, int], below: set[int]) -> Note:
    if got and got >= caps[item.id]:
        return Note.FULL
    if got:
        return Note.CUT
    return Note.BELOW_MINIMUM if item.id in below else Note.NO_MONEY


def _check(items: list[Item], pool: Decimal, limits: Limits, fixed: Mapping[int, Decimal]) -> None:
    if pool < 0:
        raise AllocationError("The pool cannot be negative.")
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise AllocationError("An application appears twice.")
    if any(item.requested < 0 for item in items):
        raise AllocationError("A request cannot be negative.")
    if limits.minimum < 0 or (limits.ceiling is not None and limits.ceiling < 0):
        raise AllocationError("The limits cannot be negative.")
    if any(share < 0 for share in limits.shares.values()) or sum(
        limits.shares.values(), ZERO
    ) > Decimal(1):
        raise AllocationError("The focus areas' shares add up to more than the pool.")
    by_id = {item.id: item for item in items}
    for pk, amount in fixed.items():
        if pk not in by_id:
            raise AllocationError(f"Application {pk} is not among the items.")
        if amount < 0 or amount > by_id[pk].requested:
            raise AllocationError(
                f"Application {pk}: a fixed amount lies between 0 and its request."
            )


# --- focus areas' shares -----------------------------------------------------------------

COMMON = None  # the group of items that count under no area with a share


def _group_budgets(
    items: list[Item], caps: Mapping[int, int], available: Fraction, limits: Limits
) -> dict[tuple[Item, ...], int]:
    """Each group's part of the money: an area with a share gets that share of what is
    available, the items under no such area share the rest.

    A group that needs less than its part (all its items' caps) keeps only what it needs,
    and the unused part flows back: it is shared by the groups that still need more, in
    proportion to their shares (the common group's share is what the areas leave), until
    no group's part exceeds its need. Parts are rounded down to hundreds and the hundreds
    left go by largest remainder (ties: the common group, then the lower area id).
    """
    shares = {area: Fraction(share) for area, share in limits.shares.items() if share > 0}
    members: dict[int | None, list[Item]] = {}
    for item in items:
        key = item.area if item.area in shares else COMMON
        members.setdefault(key, []).append(item)
    if not shares:
        return {tuple(items): floor_hundreds(available)}
    rest = Fraction(1) - sum(shares.values(), Fraction(0))
    weight = {key: rest if key is None else shares[key] for key in members}
    need = {key: Fraction(sum(caps[i.id] for i in group)) for key, group in members.items()}
    part: dict[int | None, Fraction] = {}
    open_keys = set(members)
    left = available
    while open_keys:
        total = sum((weight[k] for k in open_keys), Fraction(0))
        offer = {
            k: left * (weight[k] / total if total > 0 else Fraction(1, len(open_keys)))
            for k in open_keys
        }
        sated = {k for k in open_keys if need[k] <= offer[k]}
        if not sated:
            part.update(offer)
            break
        for key in sated:
            part[key] = need[key]
            left -= need[key]
            open_keys.discard(key)
    order = sorted(part, key=lambda k: (k is not COMMON, k or 0))
    whole = _largest_remainder(order, part, {k: need[k] for k in order}, floor_hundreds(available))
    return {tuple(members[k]): whole[k] for k in order}


# --- the methods -------------------------------------------------------------------------


def _largest_remainder(
    order: list[K], exact: Mapping[K, Fraction], caps: Mapping[K, Fraction], total: int
) -> dict[K, int]:
    """``exact`` rounded down to hundreds, then the hundreds up to ``total`` one each by
    largest remainder (ties: the order given), never above a cap."""
    base = {k: floor_hundreds(exact[k]) for k in order}
    spare = (total - sum(base.values())) // HUNDRED
    by_remainder = sorted(order, key=lambda k: -(exact[k] - base[k]))  # stable: ties keep order
    for key in by_remainder:
        if spare <= 0:
            break
        if exact[key] > base[key] and base[key] + HUNDRED <= caps[key]:
            base[key] += HUNDRED
            spare -= 1
    return base


def _share(group: list[Item], caps: Mapping[int, int], budget: int) -> dict[int, Fraction]:
    """The same share ``r`` of every request, each capped: the ``r`` at which the capped
    amounts add up to ``budget`` (everything in full if the budget covers the caps)."""
    if sum(caps[i.id] for i in group) <= budget:
        return {i.id: Fraction(caps[i.id]) for i in group}
    # Water-filling: items reach their cap in the order of cap / request.
    pending = sorted(
        group, key=lambda i: (Fraction(caps[i.id]) / Fraction(i.requested), i.rank, i.id)
    )
    exact: dict[int, Fraction] = {}
    left = Fraction(budget)
    requested = sum((Fraction(i.requested) for i in pending), Fraction(0))
    for n, item in enumerate(pending):
        ratio = left / requested
        if ratio * Fraction(item.requested) < caps[item.id]:
            for rest in pending[n:]:
                exact[rest.id] = ratio * Fraction(rest.requested)
            break
        exact[item.id] = Fraction(caps[item.id])
        left -= caps[item.id]
        requested -= Fraction(item.requested)
    return exact


def _pro_rata(
    group: tuple[Item, ...], caps: Mapping[int, int], budget: int, minimum: int, below: set[int]
) -> dict[int, int]:
    active = list(group)
    while active:
        exact = _share(active, caps, budget)
        under = [i for i in active if floor_hundreds(exact[i.id]) < minimum]
        if not under:
            return _largest_remainder(
                [i.id for i in active],  # by rank, then id
                exact,
                {i.id: Fraction(caps[i.id]) for i in active},
                budget,
            )
        # Refuse one at a time, the smallest first (then the smaller request, the worse
        # rank, the higher id): the money it frees raises the others' share.
        drop = min(under, key=lambda i: (exact[i.id], i.requested, -i.rank, -i.id))
        active.remove(drop)
        below.add(drop.id)
    return {}


def _priority(
    group: tuple[Item, ...], caps: Mapping[int, int], budget: int, minimum: int, below: set[int]
) -> dict[int, int]:
    left = budget
    amounts: dict[int, int] = {}
    for item in group:  # by rank, then id
        amount = min(caps[item.id], floor_hundreds(Fraction(left)))
        if amount <= 0:
            continue
        if amount < minimum:
            below.add(item.id)
            continue  # refused; what is left goes further down the ranking
        amounts[item.id] = amount
        left -= amount
    return amounts


def method_label(method: str) -> str:
    """The method as the screens and the minutes name it."""
    labels = {Method.PRO_RATA: _("Pro rata"), Method.PRIORITY: _("By priority")}
    try:
        return str(labels[Method(method)])
    except ValueError:
        return str(method)

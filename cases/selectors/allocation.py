"""What the allocation assistant starts from: each item's request, the council's
assessments of it, its focus areas, and its place in the ranking.

``candidates`` reads, for any number of applications, three queries: their focus areas,
the council members' assessments (counted per outcome) and their scores per criterion
(averaged). The ranking (``rank``): the higher criteria average first, then the higher
support (a member's "in full" counts 2, "in part" 1, "refuse" 0, averaged over the
members who assessed), then the agenda's order. docs/allocation.md says the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count

from cases.allocation import Item
from cases.models import Application, Assessment, Body, CriterionAssessment, FocusArea, Meeting

SUPPORT_POINTS = {"grant": 2, "partial": 1, "refuse": 0}
TWO_PLACES = Decimal("0.01")


@dataclass
class Candidate:
    """One agenda item as the assistant sees it."""

    application: Application
    position: int
    area_ids: tuple[int, ...] = ()
    assessed: dict[str, int] = field(default_factory=dict)  # outcome -> members
    criteria_average: Decimal | None = None
    rank: int = 0

    @property
    def support(self) -> Decimal | None:
        """The members' support from 0 (all refuse) to 2 (all in full), two decimals."""
        n = sum(self.assessed.values())
        if not n:
            return None
        points = sum(SUPPORT_POINTS.get(k, 0) * v for k, v in self.assessed.items())
        return (Decimal(points) / Decimal(n)).quantize(TWO_PLACES, ROUND_HALF_UP)

    @property
    def requested(self) -> Decimal:
        return self.application.amount_requested or Decimal(0)

    def item(self, shares: Mapping[int, Decimal]) -> Item:
        """The pure function's item; it counts under its first focus area that has a share."""
        area = next((pk for pk in sorted(self.area_ids) if shares.get(pk)), None)
        return Item(id=self.application.pk, requested=self.requested, rank=self.rank, area=area)


def candidates(positions: Sequence[tuple[int, Application]]) -> list[Candidate]:
    """The items (agenda position, application) with their assessments and ranks, in the
    agenda's order. Three queries, whatever the number of items (none for none)."""
    found = [Candidate(application=a, position=p) for p, a in positions]
    if not found:
        return []
    ids = [c.application.pk for c in found]
    areas: dict[int, list[int]] = defaultdict(list)
    through = Application.focus_areas.through.objects.filter(application_id__in=ids)
    for application_id, area_id in through.values_list("application_id", "focusarea_id"):
        areas[application_id].append(area_id)
    assessed: dict[int, dict[str, int]] = defaultdict(dict)
    for application_id, outcome, n in (
        Assessment.objects.filter(application_id__in=ids, meeting__body=Body.COUNCIL)
        .values_list("application_id", "outcome")
        .annotate(n=Count("id"))
        .order_by()
    ):
        assessed[application_id][outcome] = n
    averages = dict(
        CriterionAssessment.objects.filter(
            assessment__application_id__in=ids,
            assessment__meeting__body=Body.COUNCIL,
            score__isnull=False,
        )
        .values_list("assessment__application_id")
        .annotate(avg=Avg("score"))
        .order_by()
    )
    for candidate in found:
        pk = candidate.application.pk
        candidate.area_ids = tuple(sorted(areas.get(pk, ())))
        candidate.assessed = assessed.get(pk, {})
        average = averages.get(pk)
        if average is not None:
            candidate.criteria_average = Decimal(str(average)).quantize(TWO_PLACES, ROUND_HALF_UP)
    ranked = sorted(
        found,
        key=lambda c: (
            -(c.criteria_average or Decimal(-1)),
            -(c.support if c.support is not None else Decimal(-1)),
            c.position,
            c.application.pk,
        ),
    )
    for n, candidate in enumerate(ranked, start=1):
        candidate.rank = n
    return found


def focus_areas(meeting: Meeting) -> list[FocusArea]:
    """The round's focus areas, for the shares (one query)."""
    return list(FocusArea.objects.filter(round_id=meeting.round_id).order_by("name", "id"))


def named(areas: Iterable[FocusArea]) -> dict[int, str]:
    return {area.pk: area.name for area in areas}

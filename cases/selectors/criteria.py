"""Reads of a round's criteria and of the council's values per criterion, in bulk.

The overview, the agenda and the minutes show each application's values per criterion
beside it: the average score (and how many scored), or how many said yes / partly / no.
Each page reads the round's criteria and all the values it shows in one query each,
and only when the round assesses per criterion, so a round without it costs nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cases.models import (
    Body,
    CriteriaScoring,
    CriterionAssessment,
    CriterionVerdict,
    GrantRound,
    Meeting,
    RoundCondition,
    RoundCriterion,
)


def _text_prefetches() -> list[Prefetch]:
    return [
        Prefetch("conditions", queryset=RoundCondition.objects.order_by("position", "id")),
        Prefetch("criteria", queryset=RoundCriterion.objects.order_by("position", "id")),
    ]


def with_round_texts(rounds: QuerySet[GrantRound]) -> QuerySet[GrantRound]:
    """Rounds with their conditions and criteria, in order (two queries for any number)."""
    return rounds.prefetch_related(*_text_prefetches())


def load_round_texts(grant_round: GrantRound, *more: str) -> GrantRound:
    """One round already read, with its conditions and criteria (two queries) and ``more``."""
    prefetch_related_objects([grant_round], *_text_prefetches(), *more)
    return grant_round


def round_texts(rounds: QuerySet[GrantRound]) -> QuerySet[GrantRound]:
    """Rounds as shown to an applicant: texts, focus areas (four queries for any number)."""
    return with_round_texts(rounds).prefetch_related("focus_areas")


def assessed_criteria(grant_round: GrantRound) -> list[RoundCriterion]:
    """The criteria the council assesses one by one: none unless the round says so."""
    if grant_round.criteria_scoring == CriteriaScoring.NONE:
        return []
    return list(grant_round.criteria.order_by("position", "id"))


@dataclass
class CriterionSummary:
    """The members' values for one criterion on one application."""

    criterion: RoundCriterion
    scoring: str
    scores: list[int] = field(default_factory=list)
    verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return len(self.scores) + sum(self.verdicts.values())

    @property
    def average(self) -> Decimal | None:
        if not self.scores:
            return None
        mean = Decimal(sum(self.scores)) / Decimal(len(self.scores))
        return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def counts(self) -> dict[str, int]:
        return {v: self.verdicts.get(v, 0) for v in CriterionVerdict.values}

    @property
    def text(self) -> str:
        """ "3,5 (2 scores)" or "yes 2 · partly 1 · no 0", in the reader's language."""
        if not self.count:
            return _("not assessed")
        if self.scoring == CriteriaScoring.SCORE:
            return _("average %(average)s of %(n)s") % {
                "average": number_format(self.average or 0, 1, use_l10n=True),
                "n": len(self.scores),
            }
        labels = dict(CriterionVerdict.choices)
        return " · ".join(f"{labels[v]} {n}" for v, n in self.counts().items())

    def as_dict(self) -> dict[str, Any]:
        """The API's shape of one criterion's summary."""
        counts = self.counts()
        return {
            "criterion": self.criterion.pk,
            "title": self.criterion.title,
            "count": self.count,
            "average": self.average,
            "yes": counts["yes"],
            "partly": counts["partly"],
            "no": counts["no"],
        }


# (application id, member id, criterion id, score, verdict)
Row = tuple[int, int, int, int | None, str]


def summarise(
    criteria: list[RoundCriterion],
    scoring: str,
    rows: Iterable[Row],
    *,
    application_ids: Iterable[int],
    excluded: dict[int, set[int]] | None = None,
) -> dict[int, list[CriterionSummary]]:
    """Per application, a summary per criterion (in the round's order); a member in
    ``excluded[application id]`` (conflicted) is not counted."""
    excluded = excluded or {}
    found = {pk: {c.pk: CriterionSummary(c, scoring) for c in criteria} for pk in application_ids}
    for application_id, member_id, criterion_id, score, verdict in rows:
        if member_id in excluded.get(application_id, ()):
            continue
        summary = found.get(application_id, {}).get(criterion_id)
        if summary is None:
            continue
        if score is not None:
            summary.scores.append(score)
        elif verdict:
            summary.verdicts[verdict] += 1
    return {application_id: list(per.values()) for application_id, per in found.items()}


def meeting_values(meeting: Meeting) -> list[Row]:
    """Every value recorded at a council meeting (one query)."""
    return list(
        CriterionAssessment.objects.filter(assessment__meeting=meeting).values_list(
            "assessment__application_id",
            "assessment__member_id",
            "criterion_id",
            "score",
            "verdict",
        )
    )


def council_values(application_ids: list[int]) -> list[Row]:
    """The values of the council meeting that last assessed each application (one query):
    what a committee sees beside an item. A case sent back and assessed again counts once,
    at its latest council meeting."""
    rows = CriterionAssessment.objects.filter(
        assessment__application_id__in=application_ids,
        assessment__meeting__body=Body.COUNCIL,
    ).values_list(
        "assessment__application_id",
        "assessment__member_id",
        "criterion_id",
        "score",
        "verdict",
        "assessment__meeting__date",
        "assessment__meeting_id",
    )
    fetched = list(rows)
    latest: dict[int, tuple[Any, int]] = {}
    for application_id, *_rest, date, meeting_id in fetched:
        if application_id not in latest or (date, meeting_id) > latest[application_id]:
            latest[application_id] = (date, meeting_id)
    return [
        (application_id, member_id, criterion_id, score, verdict)
        for application_id, member_id, criterion_id, score, verdict, date, meeting_id in fetched
        if latest[application_id] == (date, meeting_id)
    ]


def item_summaries(
    meeting: Meeting, application_ids: list[int], excluded: dict[int, set[int]]
) -> tuple[list[RoundCriterion], dict[int, list[CriterionSummary]]]:
    """The round's assessed criteria and, per agenda item, the council's values (two
    queries; none when the round is not assessed per criterion). At a council meeting
    the values recorded there, conflicted members (``excluded``) not counted; at a
    committee meeting those of the council meeting that last assessed the item."""
    criteria = assessed_criteria(meeting.round)
    if not criteria:
        return [], {}
    if meeting.body == Body.COUNCIL:
        values = meeting_values(meeting)
    else:
        values, excluded = council_values(application_ids), {}
    return criteria, summarise(
        criteria,
        meeting.round.criteria_scoring,
        values,
        application_ids=application_ids,
        excluded=excluded,
    )


def criterion_titles(ids: Iterable[int]) -> dict[int, str]:
    """Criteria by id, for a recorded list of ids (one query, none for no ids)."""
    wanted = {pk for pk in ids if isinstance(pk, int)}
    if not wanted:
        return {}
    return dict(RoundCriterion.objects.filter(pk__in=wanted).values_list("pk", "title"))

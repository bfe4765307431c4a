"""Reads for the associations' voice: the results of a round or a year, and the invitations.

Results never name an association or a case. ``results`` reads the answers' own fields only
(never the application's association, title or case number) in one query, and the number
of decided applications (those invited) in one more, however many answers there are. The
comments come sorted by their text, not by when they were given, so their order cannot be
matched to the order of the decisions. Below ``MIN_ANSWERS`` answers only the counts are
given: with two answers in a round, a council member who knows which two associations
answered could tell who said what.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases import roles
from cases.models import (
    MIN_ANSWERS,
    Application,
    ApplicationStatus,
    Association,
    Ease,
    Feedback,
    FeedbackSummary,
    GrantRound,
    Municipality,
    Role,
    StatusGroup,
    TimeSpent,
    UnclearPart,
)

S = ApplicationStatus
# A decision the association has received (the letter is the invitation's occasion).
DECIDED = (*StatusGroup.GRANTED, S.REFUSED, S.INELIGIBLE)
# Who reads the results: the municipality's staff who take part in deciding, and the auditor.
READERS = (
    Role.CASE_OFFICER,
    Role.COUNCIL_MEMBER,
    Role.COUNCIL_CHAIR,
    Role.COMMITTEE_MEMBER,
    Role.COMMITTEE_CHAIR,
    Role.AUDITOR,
    Role.MANAGER,
)


@dataclass(frozen=True)
class Share:
    """One answer option: its stable key, its label, how many chose it."""

    key: str
    label: str
    count: int


@dataclass
class Results:
    invited: int  # decided applications: each was invited once
    answered: int
    declined: int
    suppressed: bool  # fewer than MIN_ANSWERS answers: counts only
    average_ease: Decimal | None = None
    ease: list[Share] = field(default_factory=list)
    time_spent: list[Share] = field(default_factory=list)
    unclear: list[Share] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def min_answers(self) -> int:
        return MIN_ANSWERS

    def as_figures(self) -> dict[str, Any]:
        """The figures as JSON, kept on a sent summary (what it said, once and for all)."""
        return {
            "invited": self.invited,
            "answered": self.answered,
            "declined": self.declined,
            "suppressed": self.suppressed,
            "average_ease": str(self.average_ease) if self.average_ease is not None else None,
            "ease": [[s.key, s.count] for s in self.ease],
            "time_spent": [[s.key, s.count] for s in self.time_spent],
            "unclear": [[s.key, s.count] for s in self.unclear],
        }

    @classmethod
    def from_figures(cls, figures: dict[str, Any]) -> Results:
        """The figures a sent summary kept, read back with today's labels."""

        def shares(key: str, choices: list[tuple[Any, Any]]) -> list[Share]:
            counts = {str(k): n for k, n in figures.get(key, [])}
            return [Share(str(v), str(label), counts.get(str(v), 0)) for v, label in choices]

        average = figures.get("average_ease")
        return cls(
            invited=figures.get("invited", 0),
            answered=figures.get("answered", 0),
            declined=figures.get("declined", 0),
            suppressed=figures.get("suppressed", True),
            average_ease=Decimal(average) if average else None,
            ease=shares("ease", Ease.choices) if figures.get("ease") else [],
            time_spent=shares("time_spent", TimeSpent.choices) if figures.get("time_spent") else [],
            unclear=shares("unclear", UnclearPart.choices) if figures.get("unclear") else [],
        )


def _results(answers: QuerySet[Feedback], decided: QuerySet[Application]) -> Results:
    # 1: the answers' own fields (no join to the association); 2: the count of decided cases.
    rows = list(answers.values_list("declined", "ease", "time_spent", "unclear", "comment"))
    invited = decided.count()
    given = [row for row in rows if not row[0]]
    result = Results(
        invited=invited,
        answered=len(given),
        declined=len(rows) - len(given),
        suppressed=len(given) < MIN_ANSWERS,
    )
    if result.suppressed:
        return result
    eases = [row[1] for row in given if row[1] is not None]
    if eases:
        result.average_ease = (Decimal(sum(eases)) / len(eases)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    ease = Counter(eases)
    result.ease = [Share(str(v), str(label), ease[v]) for v, label in Ease.choices]
    spent = Counter(row[2] for row in given if row[2])
    result.time_spent = [Share(v, str(label), spent[v]) for v, label in TimeSpent.choices]
    unclear = Counter(part for row in given for part in (row[3] or []))
    result.unclear = [Share(v, str(label), unclear[v]) for v, label in UnclearPart.choices]
    result.comments = sorted((row[4].strip() for row in given if row[4].strip()), key=str.lower)
    return result


def round_results(grant_round: GrantRound) -> Results:
    """The answers about one round (2 queries)."""
    return _results(
        Feedback.objects.filter(application__round=grant_round),
        Application.objects.filter(round=grant_round, status__in=DECIDED),
    )


def year_of(grant_round: GrantRound) -> int:
    """The year a round belongs to: its deadline's, in Danish time."""
    return timezone.localtime(grant_round.deadline).year


def year_results(municipality: Municipality, year: int) -> Results:
    """The answers about every round of the municipality whose deadline fell in ``year``
    (2 queries)."""
    rounds = Q(round__municipality=municipality, round__deadline__year=year)
    return _results(
        Feedback.objects.filter(
            application__round__municipality=municipality,
            application__round__deadline__year=year,
        ),
        Application.objects.filter(rounds, status__in=DECIDED),
    )


def open_since() -> datetime.datetime:
    """The earliest decision whose questionnaire is still open (PULJEFLOW_FEEDBACK_OPEN_DAYS
    after the decision, default 90)."""
    days = int(getattr(settings, "PULJEFLOW_FEEDBACK_OPEN_DAYS", 90))
    return timezone.now() - datetime.timedelta(days=days)


def is_open(application: Application) -> bool:
    """Decided, and within the days the questionnaire stays open."""
    return (
        application.status in DECIDED
        and application.decided_at is not None
        and application.decided_at >= open_since()
    )


def may_read_results(user: Any, municipality_id: int) -> bool:
    return roles.profile(user).has_role(municipality_id, *READERS)


def readable_municipalities(user: Any) -> QuerySet[Municipality]:
    profile = roles.profile(user)
    ids = [m for m in profile.municipality_ids if profile.has_role(m, *READERS)]
    return Municipality.objects.filter(pk__in=ids).order_by("name")


def years_with_rounds(municipality: Municipality) -> list[int]:
    dates = GrantRound.objects.filter(municipality=municipality).dates(
        "deadline", "year", order="DESC"
    )
    return [d.year for d in dates]


def associations_of_year(municipality: Municipality, year: int) -> QuerySet[Association]:
    """Every association that applied (submitted) to one of the year's rounds."""
    return Association.objects.filter(
        pk__in=Application.objects.filter(
            round__municipality=municipality, round__deadline__year=year
        )
        .exclude(status=S.DRAFT)
        .values("association_id")
    ).order_by("name")


def summaries_for(user: Any) -> QuerySet[FeedbackSummary]:
    """The yearly summaries a user may read: those of the municipalities where they are staff,
    and, for an association's representative, those of the years it applied."""
    profile = roles.profile(user)
    staff = Q(municipality_id__in=profile.municipality_ids)
    applied = Q(pk__in=[])
    if profile.represents:
        pairs = (
            Application.objects.filter(association_id__in=profile.represents)
            .exclude(status=S.DRAFT)
            .values_list("round__municipality_id", "round__deadline")
        )
        years: dict[int, set[int]] = {}
        for municipality_id, deadline in pairs:
            years.setdefault(municipality_id, set()).add(timezone.localtime(deadline).year)
        for municipality_id, in_years in years.items():
            applied |= Q(municipality_id=municipality_id, year__in=in_years)
    return (
        FeedbackSummary.objects.filter(staff | applied)
        .select_related("municipality")
        .order_by("-year", "municipality__name")
    )


def open_invitation(application: Application) -> bool:
    """The association has been sent the questionnaire and neither answered nor declined."""
    if not is_open(application):
        return False
    try:
        application.feedback  # noqa: B018 (a select_related reverse one-to-one: no query)
    except Feedback.DoesNotExist:
        return True
    return False

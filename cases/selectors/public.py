"""Reads for the public pages (web/public): the open calls and the grants register.

**What the register publishes.** An application appears once its decision is *final*:
the committee's ``decide`` (or the case officer's ``decide_directly`` in a quick pool)
has granted it in whole or in part, which in one transaction sets the amount and the
decision date, writes the transition record and produces the decision letter
(workflows/application.py ``_apply_decision``). So the register asks for exactly that:

- a status in ``StatusGroup.GRANTED`` (granted, paid, usage report submitted, closed) or
  ``in_hearing`` (a granted case heard on its usage report is still granted);
- a granted amount above 0 (a case in hearing *before* its decision has none);
- a decision letter on the case (grant, partial grant, or a decision letter from before
  issue 16): the letter is the decision's notification to the association.

A refusal (``refused``, with its refusal letter) and a rejection (``ineligible``, with
its rejection letter) appear only when the municipality sets ``publish_refusals``.

Only these fields leave the database: the case number, the association's *name*, the
title, the purpose, the amount granted, the round, the decision date, the focus areas and
the outcome. Never a person, an e-mail, a phone, an address, a note or a case officer:
every query below names its columns (``values`` / ``only``), so a new field on the models
cannot slip out by accident.

**Constant queries.** Every read is one query whatever the register's size: the page is a
slice, the totals are aggregates in the database, and the open-data files read their rows
and their focus areas in two queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.utils import timezone

from cases.models import (
    Application,
    ApplicationStatus,
    DirectoryEntry,
    Document,
    DocumentKind,
    FocusArea,
    GrantRound,
    Municipality,
    StatusGroup,
)

S = ApplicationStatus
PAGE_SIZE = 50
FEED_SIZE = 50

GRANT_STATES = (*StatusGroup.GRANTED, S.IN_HEARING)
GRANT_LETTERS = (DocumentKind.GRANT, DocumentKind.PARTIAL_GRANT, DocumentKind.DECISION_LETTER)
REFUSAL_LETTERS = (DocumentKind.REFUSAL, DocumentKind.REJECTION, DocumentKind.DECISION_LETTER)


class Outcome:
    """The register's ``outcome`` field: stable identifiers (docs/open-data.md)."""

    GRANTED = "granted"
    PARTIALLY_GRANTED = "partially_granted"
    REFUSED = "refused"
    REJECTED = "rejected"


# The fields every published row carries, in the open data's order (docs/open-data.md).
FIELDS = (
    "case_number",
    "association",
    "title",
    "purpose",
    "amount_granted",
    "round",
    "round_id",
    "decision_date",
    "year",
    "focus_areas",
    "outcome",
)


@dataclass(frozen=True)
class RegisterFilter:
    """What the visitor filtered on: a year, a round (its id), a focus area (its name)."""

    year: int | None = None
    round_id: int | None = None
    focus_area: str = ""

    def is_empty(self) -> bool:
        return self.year is None and self.round_id is None and not self.focus_area


def _letter(kinds: tuple[str, ...]) -> Exists:
    return Exists(Document.objects.filter(application=OuterRef("pk"), kind__in=kinds))


def published(municipality: Municipality, chosen: RegisterFilter | None = None) -> QuerySet[Any]:
    """The applications the municipality's register shows, with ``decided_on``, ``year``
    and ``outcome`` annotated (see the module's text for what counts as final)."""
    shown = Q(status__in=GRANT_STATES, granted_amount__gt=0) & Q(_letter(GRANT_LETTERS))
    if municipality.publish_refusals:
        shown |= Q(status__in=(S.REFUSED, S.INELIGIBLE)) & Q(_letter(REFUSAL_LETTERS))
    rows = (
        Application.objects.filter(municipality=municipality)
        .filter(shown)
        .annotate(
            decided_on=Coalesce(
                "decision_date",
                TruncDate("decided_at", tzinfo=timezone.get_default_timezone()),
                output_field=DateField(),
            ),
            outcome=Case(
                When(status=S.INELIGIBLE, then=Value(Outcome.REJECTED)),
                When(status=S.REFUSED, then=Value(Outcome.REFUSED)),
                When(
                    granted_amount__lt=Coalesce("amount_requested", F("granted_amount")),
                    then=Value(Outcome.PARTIALLY_GRANTED),
                ),
                default=Value(Outcome.GRANTED),
            ),
        )
        .annotate(year=ExtractYear("decided_on"))
        .filter(decided_on__isnull=False)
    )
    chosen = chosen or RegisterFilter()
    if chosen.year is not None:
        rows = rows.filter(year=chosen.year)
    if chosen.round_id is not None:
        rows = rows.filter(round_id=chosen.round_id)
    if chosen.focus_area:
        rows = rows.filter(
            Exists(
                FocusArea.applications.through.objects.filter(
                    application_id=OuterRef("pk"), focusarea__name=chosen.focus_area
                )
            )
        )
    return rows


def register_page(rows: QuerySet[Any]) -> QuerySet[Any]:
    """The rows as the page shows them, newest decision first, only the public columns
    (one query for the slice, one for its focus areas)."""
    return (
        rows.select_related("round", "association")
        .only(
            "case_number",
            "title",
            "purpose",
            "granted_amount",
            "status",
            "round__name",
            "association__name",
        )
        .prefetch_related("focus_areas")
        # Issue 20: the row links to the association's page in the directory when it is listed.
        .annotate(
            in_directory=Exists(
                DirectoryEntry.objects.filter(
                    association_id=OuterRef("association_id"),
                    municipality_id=OuterRef("municipality_id"),
                    published=True,
                )
            )
        )
        .order_by("-decided_on", "-pk")
    )


@dataclass(frozen=True)
class Total:
    label: str
    count: int
    amount: Decimal
    # The register's rows in the group, refusals included (the totals per year only): their
    # sum is the register's count, so the page needs no COUNT query of its own.
    rows: int = 0


def totals_per_year(rows: QuerySet[Any]) -> list[Total]:
    """Grants and their sum per year of decision, with the rows of each year (one aggregate
    query)."""
    grouped = (
        rows.order_by()
        .values("year")
        .annotate(
            n=Count("pk", filter=Q(granted_amount__gt=0)),
            amount=Coalesce(Sum("granted_amount"), Decimal("0")),
            rows=Count("pk"),
        )
        .order_by("year")
    )
    return [Total(str(g["year"]), g["n"], g["amount"], g["rows"]) for g in grouped]


def totals_per_focus_area(rows: QuerySet[Any]) -> list[Total]:
    """Grants and their sum per focus area, by name across rounds (one aggregate query).
    An application may name several focus areas and counts under each."""
    links = FocusArea.applications.through.objects.filter(
        application_id__in=rows.order_by().values("pk"), application__granted_amount__gt=0
    )
    grouped = (
        links.values(name=F("focusarea__name"))
        .annotate(n=Count("application_id"), amount=Sum("application__granted_amount"))
        .order_by("name")
    )
    return [Total(g["name"], g["n"], g["amount"] or Decimal("0")) for g in grouped]


@dataclass(frozen=True)
class FilterChoices:
    years: list[int]
    rounds: list[tuple[int, str]]
    focus_areas: list[str]


def filter_choices(municipality: Municipality, years: list[int] | None = None) -> FilterChoices:
    """What the visitor can filter on (three queries; two when ``years`` is given: the
    unfiltered register's totals per year name every year it has)."""
    if years is None:
        everything = published(municipality).order_by().values_list("year", flat=True)
        years = list(everything.distinct())
    years = sorted(years, reverse=True)
    rounds = list(
        GrantRound.objects.filter(municipality=municipality, opens_at__lte=timezone.now())
        .order_by("-deadline")
        .values_list("pk", "name")
    )
    names = list(
        FocusArea.objects.filter(round__municipality=municipality)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    return FilterChoices(years, rounds, names)


def open_data_rows(rows: QuerySet[Any]) -> list[dict[str, Any]]:
    """Every row as a dict of ``FIELDS``: one query for the rows, one for their focus areas,
    however many there are."""
    plain = list(
        rows.order_by("-decided_on", "-pk").values(
            "pk",
            "case_number",
            "title",
            "purpose",
            "granted_amount",
            "round_id",
            "decided_on",
            "year",
            "outcome",
            association_name=F("association__name"),
            round_name=F("round__name"),
        )
    )
    areas: dict[int, list[str]] = defaultdict(list)
    links = (
        FocusArea.applications.through.objects.filter(
            application_id__in=rows.order_by().values("pk")
        )
        .order_by("focusarea__name")
        .values_list("application_id", "focusarea__name")
    )
    for application_id, name in links:
        areas[application_id].append(name)
    return [
        {
            "case_number": row["case_number"],
            "association": row["association_name"],
            "title": row["title"],
            "purpose": row["purpose"],
            "amount_granted": row["granted_amount"] or Decimal("0"),
            "round": row["round_name"],
            "round_id": row["round_id"],
            "decision_date": row["decided_on"],
            "year": row["year"],
            "focus_areas": areas.get(row["pk"], []),
            "outcome": row["outcome"],
        }
        for row in plain
    ]


def newest(rows: QuerySet[Any], n: int = FEED_SIZE) -> list[dict[str, Any]]:
    """The ``n`` newest decisions (by the time they were recorded), for the Atom feed."""
    plain = list(
        rows.order_by("-decided_at", "-pk").values(
            "case_number",
            "title",
            "purpose",
            "granted_amount",
            "decided_at",
            "decided_on",
            "outcome",
            association_name=F("association__name"),
            round_name=F("round__name"),
        )[:n]
    )
    return plain


# --- the calls ---------------------------------------------------------------------------


def public_rounds(municipality: Municipality, at: datetime.datetime | None = None) -> Any:
    """The municipality's rounds open now and those opening later, soonest deadline first
    (one query)."""
    at = at or timezone.now()
    return GrantRound.objects.filter(municipality=municipality, deadline__gte=at).order_by(
        "deadline"
    )


def public_round(municipality: Municipality, pk: int) -> GrantRound | None:
    """One round of the municipality with its texts (conditions, criteria, focus areas),
    or None when it has no such round."""
    grant_round = (
        GrantRound.objects.filter(municipality=municipality, pk=pk)
        .prefetch_related("conditions", "criteria", "focus_areas")
        .first()
    )
    return grant_round

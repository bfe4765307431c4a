"""Reads for the directory of associations (issue 20, item 4; docs/directory.md).

Only *published* entries leave the database, and of them only the fields the association
typed for the public (``PublicEntry``) plus the association's name: never its contact
person, e-mail, phone or address. Every query names its columns (``only`` / ``values``),
as the register's do (cases/selectors/public.py), so a new field cannot slip out.

**Constant queries.** A page of the list is a count, the slice, and one query each for the
slice's target groups and focus areas; the open-data files read the rows, their target
groups and their focus areas in three queries, however many entries there are.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from cases.models import (
    DirectoryEntry,
    DirectoryFocusArea,
    FocusArea,
    Municipality,
    TargetGroup,
    TargetGroupCode,
)
from cases.selectors import public

PAGE_SIZE = 50

# The fields of every entry in the open data, in their order (docs/open-data.md,
# docs/schemas/association-directory.schema.json).
FIELDS = (
    "association_id",
    "association",
    "description",
    "target_groups",
    "focus_areas",
    "whole_municipality",
    "area",
    "seeks_volunteers",
    "volunteers_text",
    "website",
    "contact_email",
    "contact_phone",
    "published_at",
    "updated_at",
)

# What the public may read of an entry: these columns and no others.
PUBLIC_COLUMNS = (
    "association_id",
    "association__name",
    "description",
    "whole_municipality",
    "area",
    "seeks_volunteers",
    "volunteers_text",
    "website",
    "contact_email",
    "contact_phone",
    "published_at",
    "updated_at",
)


@dataclass(frozen=True)
class DirectoryFilter:
    """What the visitor searched for and chose."""

    text: str = ""
    focus_area: str = ""
    target_group: str = ""
    seeks_volunteers: bool = False

    def is_empty(self) -> bool:
        return not (self.text or self.focus_area or self.target_group or self.seeks_volunteers)


@dataclass
class PublicEntry:
    """An entry as the public sees it: the page, the preview and the open data show this."""

    association_id: int
    name: str
    description: str
    target_groups: list[str] = field(default_factory=list)  # TargetGroupCode values
    focus_areas: list[str] = field(default_factory=list)
    whole_municipality: bool = True
    area: str = ""
    seeks_volunteers: bool = False
    volunteers_text: str = ""
    website: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    published_at: datetime.datetime | None = None
    updated_at: datetime.datetime | None = None

    @property
    def target_group_labels(self) -> list[str]:
        labels = dict(TargetGroupCode.choices)
        return [str(labels.get(code, code)) for code in self.target_groups]


def listed(municipality: Municipality, chosen: DirectoryFilter | None = None) -> QuerySet[Any]:
    """The municipality's published entries matching the filter (not yet evaluated)."""
    rows = DirectoryEntry.objects.filter(municipality=municipality, published=True)
    chosen = chosen or DirectoryFilter()
    if chosen.text:
        rows = rows.filter(
            Q(association__name__icontains=chosen.text)
            | Q(description__icontains=chosen.text)
            | Q(area__icontains=chosen.text)
            | Q(volunteers_text__icontains=chosen.text)
            | Exists(
                DirectoryFocusArea.objects.filter(
                    entry_id=OuterRef("pk"), name__icontains=chosen.text
                )
            )
        )
    if chosen.focus_area:
        rows = rows.filter(
            Exists(
                DirectoryFocusArea.objects.filter(entry_id=OuterRef("pk"), name=chosen.focus_area)
            )
        )
    if chosen.target_group:
        rows = rows.filter(
            Exists(
                DirectoryEntry.target_groups.through.objects.filter(
                    directoryentry_id=OuterRef("pk"), targetgroup__code=chosen.target_group
                )
            )
        )
    if chosen.seeks_volunteers:
        rows = rows.filter(seeks_volunteers=True)
    return rows


def _with_lists(rows: QuerySet[Any]) -> QuerySet[Any]:
    return (
        rows.select_related("association")
        .only(*PUBLIC_COLUMNS)
        .prefetch_related(
            Prefetch("target_groups", queryset=TargetGroup.objects.only("code").order_by("id")),
            Prefetch("focus_areas", queryset=DirectoryFocusArea.objects.only("entry_id", "name")),
        )
        .order_by("association__name", "pk")
    )


def directory_page(rows: QuerySet[Any]) -> QuerySet[Any]:
    """The rows as the list shows them, by the associations' names (the slice is one query,
    its target groups one, its focus areas one)."""
    return _with_lists(rows)


def as_public(entry: DirectoryEntry) -> PublicEntry:
    """An entry read by ``directory_page`` (its lists prefetched) as the public sees it."""
    return PublicEntry(
        association_id=entry.association_id,
        name=entry.association.name,
        description=entry.description,
        target_groups=[g.code for g in entry.target_groups.all()],
        focus_areas=[f.name for f in entry.focus_areas.all()],
        whole_municipality=entry.whole_municipality,
        area=entry.area,
        seeks_volunteers=entry.seeks_volunteers,
        volunteers_text=entry.volunteers_text,
        website=entry.website,
        contact_email=entry.contact_email,
        contact_phone=entry.contact_phone,
        published_at=entry.published_at,
        updated_at=entry.updated_at,
    )


def public_entry(municipality: Municipality, association_id: int) -> PublicEntry | None:
    """The association's published entry in the municipality, or None (three queries)."""
    entry = _with_lists(listed(municipality).filter(association_id=association_id)).first()
    return as_public(entry) if entry is not None else None


@dataclass(frozen=True)
class EntryGrant:
    case_number: str
    title: str
    amount: Decimal
    round_id: int
    round: str
    decision_date: datetime.date
    year: int


def entry_grants(municipality: Municipality, association_id: int) -> list[EntryGrant]:
    """The association's grants in the municipality's register (refusals are not shown
    here even where the register shows them: the page is about what the association does).
    One query."""
    rows = (
        public.published(municipality)
        .filter(association_id=association_id, granted_amount__gt=0)
        .order_by("-decided_on", "-pk")
        .values(
            "case_number",
            "title",
            "granted_amount",
            "round_id",
            "decided_on",
            "year",
            round_name=F("round__name"),
        )
    )
    return [
        EntryGrant(
            case_number=r["case_number"],
            title=r["title"],
            amount=r["granted_amount"],
            round_id=r["round_id"],
            round=r["round_name"],
            decision_date=r["decided_on"],
            year=r["year"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class DirectoryChoices:
    focus_areas: list[str]
    target_groups: list[tuple[str, str]]


def filter_choices(municipality: Municipality) -> DirectoryChoices:
    """What the visitor can filter on: the focus areas the listed entries name (one query)
    and the fixed target groups (no query)."""
    names = list(
        DirectoryFocusArea.objects.filter(entry__municipality=municipality, entry__published=True)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )
    groups = [(str(code), str(label)) for code, label in TargetGroupCode.choices]
    return DirectoryChoices(names, groups)


def focus_area_names(municipality: Municipality) -> list[str]:
    """The municipality's focus areas by name, across its rounds: what an association may
    choose for its entry (one query)."""
    return list(
        FocusArea.objects.filter(round__municipality=municipality)
        .order_by("name")
        .values_list("name", flat=True)
        .distinct()
    )


def open_data_rows(rows: QuerySet[Any]) -> list[dict[str, Any]]:
    """Every entry as a dict of ``FIELDS``: three queries, however many there are."""
    plain = list(
        rows.order_by("association__name", "pk").values(
            "pk",
            *(c for c in PUBLIC_COLUMNS if c != "association__name"),
            association_name=F("association__name"),
        )
    )
    ids = rows.order_by().values("pk")
    groups: dict[int, list[str]] = defaultdict(list)
    for entry_id, code in (
        DirectoryEntry.target_groups.through.objects.filter(directoryentry_id__in=ids)
        .order_by("targetgroup_id")
        .values_list("directoryentry_id", "targetgroup__code")
    ):
        groups[entry_id].append(code)
    areas: dict[int, list[str]] = defaultdict(list)
    for entry_id, name in (
        DirectoryFocusArea.objects.filter(entry_id__in=ids)
        .order_by("name")
        .values_list("entry_id", "name")
    ):
        areas[entry_id].append(name)
    return [
        {
            "association_id": row["association_id"],
            "association": row["association_name"],
            "description": row["description"],
            "target_groups": groups.get(row["pk"], []),
            "focus_areas": areas.get(row["pk"], []),
            "whole_municipality": row["whole_municipality"],
            "area": row["area"],
            "seeks_volunteers": row["seeks_volunteers"],
            "volunteers_text": row["volunteers_text"],
            "website": row["website"],
            "contact_email": row["contact_email"],
            "contact_phone": row["contact_phone"],
            "published_at": row["published_at"],
            "updated_at": row["updated_at"],
        }
        for row in plain
    ]


def own_entries(association_id: int) -> dict[int, DirectoryEntry]:
    """The association's entries by municipality id, for its own overview (one query)."""
    return {
        e.municipality_id: e
        for e in DirectoryEntry.objects.filter(association_id=association_id).only(
            "municipality_id", "published", "published_at", "withdrawn_at", "updated_at"
        )
    }


def own_entry(association_id: int, municipality: Municipality) -> DirectoryEntry | None:
    """The association's entry in the municipality with its lists, published or not."""
    return (
        DirectoryEntry.objects.filter(association_id=association_id, municipality=municipality)
        .select_related("association")
        .prefetch_related("target_groups", "focus_areas")
        .first()
    )

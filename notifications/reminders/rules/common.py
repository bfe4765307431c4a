"""What several rules share: due dates per round, the keys not yet sent, the latest
transition of an application, and the recipients — one query per batch each, never
one per application."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import Case, DateField, Exists, OuterRef, QuerySet, Subquery, Value, When

from cases.models import Application, AssociationMember, Role, StaffRole
from cases.trail.models import TransitionRecord

from .base import Key, Message, Rule


def by_date(field_name: str, dates: Mapping[int, date]) -> Case:
    """A per-row date picked by a foreign key: the due date of each round's stage."""
    whens = [When(**{field_name: pk}, then=Value(day)) for pk, day in dates.items()]
    return Case(*whens, output_field=DateField())


def unsent_applications(rule: Rule, qs: QuerySet[Any]) -> list[Key]:
    """Applications annotated with ``due_on``, less those ``rule`` reminded for that date."""
    done = rule.sent(object_id=OuterRef("pk"), due_on=OuterRef("due_on"), recipient_key=0)
    rows = qs.filter(~Exists(done)).order_by().values_list("pk", "due_on")
    return [Key(pk, due_on) for pk, due_on in rows]


def latest_record(transition: str | None = None) -> Subquery:
    """When the application's latest record of the flow (or of one transition) was made."""
    records = TransitionRecord.objects.filter(application=OuterRef("pk"), flow="application")
    if transition:
        records = records.filter(transition=transition)
    return Subquery(records.order_by("-seq").values("created_at")[:1])


# --- recipients, one query per batch each ---------------------------------------------


def applications_of(keys: Iterable[Key]) -> dict[int, Application]:
    return (
        Application.objects.select_related("round", "association", "municipality")
        .filter(pk__in={k.object_id for k in keys})
        .in_bulk()
    )


def representatives(association_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Active users representing each association (as ``selectors.applicants_of``)."""
    result: dict[int, list[Any]] = defaultdict(list)
    ties = (
        AssociationMember.objects.filter(
            association_id__in=set(association_ids), can_represent=True, user__is_active=True
        )
        .select_related("user")
        .order_by("user_id")
    )
    for tie in ties:
        result[tie.association_id].append(tie.user)
    return result


def case_officers(municipality_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Active case officers of each municipality (as ``selectors.case_officers_of``)."""
    result: dict[int, list[Any]] = defaultdict(list)
    roles = (
        StaffRole.objects.filter(
            municipality_id__in=set(municipality_ids),
            role=Role.CASE_OFFICER,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user_id")
    )
    for role in roles:
        result[role.municipality_id].append(role.user)
    return result


def to_association(
    kind: str, application: Application, users: list[Any], context: dict[str, Any]
) -> list[Message]:
    """The association's users; a paper applicant also at its registered address."""
    messages = [Message(kind, user, user.email, context, application) for user in users]
    if application.is_paper and application.association.email:
        messages.append(Message(kind, None, application.association.email, context, application))
    return messages

"""What several rules share: due dates per round, the keys not yet sent, the latest
transition of an application, and the recipients — one query per batch each, never
one per application."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)

from cases.models import Application, GrantRound, Municipality, Role, StaffRole
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
    """The keys' applications with their association, round and municipality. The rounds
    and municipalities (a few dozen for a batch of a thousand cases) are read once each
    and shared by their applications, not built again for every row of a join."""
    applications = (
        Application.objects.select_related("association")
        .filter(pk__in={k.object_id for k in keys})
        .in_bulk()
    )
    rounds = GrantRound.objects.in_bulk({a.round_id for a in applications.values()})
    municipalities = Municipality.objects.in_bulk(
        {a.municipality_id for a in applications.values()}
    )
    for application in applications.values():
        application.round = rounds[application.round_id]
        application.municipality = municipalities[application.municipality_id]
    return applications


def representatives(association_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Active users representing each association (as ``selectors.applicants_of``)."""
    result: dict[int, list[Any]] = defaultdict(list)
    users = (
        get_user_model()
        .objects.filter(
            association_ties__association_id__in=set(association_ids),
            association_ties__can_represent=True,
            is_active=True,
        )
        .annotate(represents=F("association_ties__association_id"))
        # What a message needs of its recipient (its address, and the name for
        # ``recipient_name``); not the password hash nor the login times, thousands a batch.
        .only("username", "first_name", "last_name", "email", "is_active")
        .order_by("pk")
    )
    for user in users:
        result[user.represents].append(user)
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

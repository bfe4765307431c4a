"""Meetings ahead: council members' missing assessments, the committee's agenda."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from cases.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    Assessment,
    AssociationMember,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    Meeting,
)
from notifications.models import Kind

from .base import Key, Message, Rule, int_setting

S = ApplicationStatus
Present = Meeting.members_present.through


def meeting_keys(rule: Rule, attendance: QuerySet[Any]) -> list[Key]:
    """One key per (meeting, member present), dated by the meeting's date: a meeting
    moved to another day is a new occasion and reminds again."""
    done = rule.sent(
        object_id=OuterRef("meeting_id"),
        due_on=OuterRef("meeting__date"),
        recipient_key=OuterRef("user_id"),
    )
    rows = (
        attendance.filter(user__is_active=True)
        .filter(~Exists(done))
        .values_list("meeting_id", "meeting__date", "user_id")
    )
    return [Key(meeting_id, day, user_id) for meeting_id, day, user_id in rows]


class AssessmentsMissing(Rule):
    """A council member present at a meeting within N days
    (``NOTIFICATIONS_ASSESSMENT_REMINDER_DAYS``, default 3) who has not assessed an
    item still in council review on which they are not conflicted: one reminder per
    (meeting, member)."""

    name = "assessments_missing"
    object_kind = "meeting"

    def due(self, now: datetime) -> list[Key]:
        today = timezone.localdate(now)
        days = int_setting("NOTIFICATIONS_ASSESSMENT_REMINDER_DAYS", 3)
        member = OuterRef(OuterRef("user_id"))
        # A board tie always conflicts; a declared tie until ruled otherwise (as
        # workflows.rules.conflicted_member_ids).
        board_tie = AssociationMember.objects.filter(
            user_id=member,
            association_id=OuterRef("application__association_id"),
            is_board_member=True,
        )
        declared = ConflictDeclaration.objects.filter(
            application_id=OuterRef("application_id"), member_id=member
        ).exclude(ruling=ConflictRuling.NOT_CONFLICTED)
        assessed = Assessment.objects.filter(
            meeting_id=OuterRef("meeting_id"),
            application_id=OuterRef("application_id"),
            member_id=member,
        )
        missing = AgendaItem.objects.filter(
            meeting_id=OuterRef("meeting_id"), application__status=S.IN_COUNCIL_REVIEW
        ).filter(~Exists(board_tie), ~Exists(declared), ~Exists(assessed))
        attendance = Present.objects.filter(
            meeting__body=Body.COUNCIL,
            meeting__date__gte=today,
            meeting__date__lte=today + timedelta(days=days),
        ).filter(Exists(missing))
        return meeting_keys(self, attendance)

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        meeting_ids = {k.object_id for k in keys}
        member_ids = {k.recipient_key for k in keys}
        meetings = Meeting.objects.select_related("round__municipality").in_bulk(meeting_ids)
        members = get_user_model().objects.in_bulk(member_ids)
        items: dict[int, list[Application]] = defaultdict(list)
        for item in (
            AgendaItem.objects.filter(
                meeting_id__in=meeting_ids, application__status=S.IN_COUNCIL_REVIEW
            )
            .select_related("application")
            .order_by("meeting_id", "position", "id")
        ):
            items[item.meeting_id].append(item.application)
        application_ids = {a.pk for apps in items.values() for a in apps}
        assessed = set(
            Assessment.objects.filter(
                meeting_id__in=meeting_ids, member_id__in=member_ids
            ).values_list("meeting_id", "application_id", "member_id")
        )
        board = set(
            AssociationMember.objects.filter(
                user_id__in=member_ids,
                is_board_member=True,
                association_id__in={a.association_id for apps in items.values() for a in apps},
            ).values_list("user_id", "association_id")
        )
        declared = set(
            ConflictDeclaration.objects.filter(
                member_id__in=member_ids, application_id__in=application_ids
            )
            .exclude(ruling=ConflictRuling.NOT_CONFLICTED)
            .values_list("member_id", "application_id")
        )
        result = []
        for key in keys:
            meeting, user = meetings[key.object_id], members.get(key.recipient_key)
            missing = [
                a
                for a in items[meeting.pk]
                if (meeting.pk, a.pk, key.recipient_key) not in assessed
                and (key.recipient_key, a.association_id) not in board
                and (key.recipient_key, a.pk) not in declared
            ]
            if user is None or not missing:  # assessed in the meantime
                continue
            municipality = meeting.round.municipality
            context = {
                "municipality": municipality,
                "body_name": municipality.council_name,
                "meeting": meeting,
                "missing": missing,
            }
            result.append(Message(Kind.ASSESSMENTS_MISSING, user, user.email, context))
        return result


class AgendaReady(Rule):
    """A committee meeting ahead with items on its agenda: each member present is told
    once, from ``NOTIFICATIONS_AGENDA_READY_DAYS`` (default 7) before the meeting — the
    usual notice, so that an agenda still being filled goes out whole."""

    name = "agenda_ready"
    object_kind = "meeting"

    def due(self, now: datetime) -> list[Key]:
        today = timezone.localdate(now)
        days = int_setting("NOTIFICATIONS_AGENDA_READY_DAYS", 7)
        attendance = Present.objects.filter(
            meeting__body=Body.COMMITTEE,
            meeting__date__gte=today,
            meeting__date__lte=today + timedelta(days=days),
        ).filter(Exists(AgendaItem.objects.filter(meeting_id=OuterRef("meeting_id"))))
        return meeting_keys(self, attendance)

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        meetings = (
            Meeting.objects.select_related("round__municipality")
            .annotate(items=Count("agenda_items"))
            .in_bulk({k.object_id for k in keys})
        )
        members = get_user_model().objects.in_bulk({k.recipient_key for k in keys})
        result = []
        for key in keys:
            meeting, user = meetings[key.object_id], members.get(key.recipient_key)
            if user is None:
                continue
            municipality = meeting.round.municipality
            context = {
                "municipality": municipality,
                "body_name": municipality.committee_name,
                "meeting": meeting,
                "items": meeting.items,
            }
            result.append(Message(Kind.AGENDA_READY, user, user.email, context))
        return result

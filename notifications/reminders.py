"""Reminders: rules evaluated by beat, each reminder sent exactly once.

Every rule is an idempotent query for what is *due and not yet done*, never for
"what became due since the last run": Celery beat silently drops its ticks while
the broker is down, and a rule that looked at the last interval only would lose
those reminders for good. A reminder stays due from its due moment until the
thing is done or its occasion has passed (the deadline, the meeting), so the
first run after an outage sends whatever the outage held back.

Exactly once. Each due reminder has a key, (rule, object, due date, recipient),
under a UNIQUE constraint (``models.Reminder``). A run inserts a batch of keys
with INSERT … ON CONFLICT DO NOTHING (``bulk_create(ignore_conflicts=True)``;
INSERT OR IGNORE on SQLite), each row tagged with the run's own id, reads back
the rows carrying that id (the keys it won) and writes the notifications for
those only, in the same transaction. A concurrent run inserting the same key
waits for the first one's transaction and then inserts nothing (PostgreSQL), or
waits for SQLite's write lock and then finds the row; a run that dies rolls its
keys back together with its notifications. Keys are inserted in one global
order, so two runs never lock each other's keys crosswise.

Cost. Per rule one query over the applications (or meeting attendance, or staff
roles) finds what is due, excluding every key that already has a row
(``NOT EXISTS`` through the unique index), plus at most one tiny query over
rounds or municipalities. Then each batch of ``NOTIFICATIONS_REMINDER_BATCH``
reminders costs a fixed handful of queries: the insert, reading it back, the
objects and their recipients, the recipients' preferences, and one bulk insert of
the notifications. Nothing is queried per application.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
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
    GrantRound,
    Meeting,
    Municipality,
    Role,
    StaffRole,
)
from workflows.models import TransitionRecord

from .models import Channel, Kind, Notification, Reminder
from .services import build_notification, enqueue_on_commit, preferences_of

logger = logging.getLogger("puljeflow.notifications")

S = ApplicationStatus
# No usage report in hand yet: the association still owes it.
REPORT_PENDING = [S.GRANTED, S.PAID]
# States in which the municipality, not the association, must act next (the case
# officer screens, the council recommends, the committee decides, the case officer
# pays or checks the report). info_requested waits for the association and has its
# own reminder; draft, the final states and paid (waiting for the report) do not count.
WAITING_STATES = [
    S.SUBMITTED,
    S.IN_COUNCIL_REVIEW,
    S.RECOMMENDED,
    S.GRANTED,
    S.REPORT_SUBMITTED,
]
# A digest lists this many applications per municipality and counts the rest.
DIGEST_LIMIT = 50
# Kinds whose message is about a meeting or a municipality, not one application.
NOT_ABOUT_ONE_APPLICATION = frozenset(
    {Kind.ASSESSMENTS_MISSING, Kind.AGENDA_READY, Kind.WAITING_DIGEST}
)
Present = Meeting.members_present.through


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _days(name: str, default: int) -> int:
    return int(_setting(name, default))


@dataclass(frozen=True, order=True)
class Key:
    """A reminder's key within its rule (the rule names its kind of object)."""

    object_id: int
    due_on: date
    recipient_key: int = 0


@dataclass
class Message:
    """One notification to write: to a user, or to an address without an account."""

    kind: str
    user: Any
    email: str
    context: dict[str, Any] = field(default_factory=dict)
    application: Application | None = None


def _by_date(field_name: str, dates: Mapping[int, date]) -> Case:
    """A per-row date picked by a foreign key: the due date of each round's stage."""
    whens = [When(**{field_name: pk}, then=Value(day)) for pk, day in dates.items()]
    return Case(*whens, output_field=DateField())


class Rule:
    name: ClassVar[str]
    object_kind: ClassVar[str]

    def due(self, now: datetime) -> list[Key]:
        """The keys due at ``now`` that have no reminder yet."""
        raise NotImplementedError

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        """What to send for the keys this run has won."""
        raise NotImplementedError

    def sent(self, **key: Any) -> QuerySet[Reminder]:
        return Reminder.objects.filter(rule=self.name, object_kind=self.object_kind, **key)

    def unsent_applications(self, qs: QuerySet[Any]) -> list[Key]:
        """Applications annotated with ``due_on``, less those reminded for that date."""
        done = self.sent(object_id=OuterRef("pk"), due_on=OuterRef("due_on"), recipient_key=0)
        rows = qs.filter(~Exists(done)).order_by().values_list("pk", "due_on")
        return [Key(pk, due_on) for pk, due_on in rows]


# --- recipients, one query per batch each ---------------------------------------------


def _applications(keys: Iterable[Key]) -> dict[int, Application]:
    return (
        Application.objects.select_related("round", "association", "municipality")
        .filter(pk__in={k.object_id for k in keys})
        .in_bulk()
    )


def _representatives(association_ids: Iterable[int]) -> dict[int, list[Any]]:
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


def _case_officers(municipality_ids: Iterable[int]) -> dict[int, list[Any]]:
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


def _to_association(
    kind: str, application: Application, users: list[Any], context: dict[str, Any]
) -> list[Message]:
    """The association's users; a paper applicant also at its registered address."""
    messages = [Message(kind, user, user.email, context, application) for user in users]
    if application.is_paper and application.association.email:
        messages.append(Message(kind, None, application.association.email, context, application))
    return messages


# --- the rules ----------------------------------------------------------------------------


class DeadlineApproaching(Rule):
    """Drafts in a round whose deadline is N days away (N from
    ``NOTIFICATIONS_DEADLINE_REMINDER_DAYS``, default 7 and 1); due at the deadline
    minus N days, sent only while the deadline is ahead. A run that finds several
    stages passed (beat was down) sends the latest one only. Paper drafts are left
    out: the municipality already holds the paper application."""

    name = "deadline_approaching"
    object_kind = "application"

    def due(self, now: datetime) -> list[Key]:
        days = sorted({int(d) for d in _setting("NOTIFICATIONS_DEADLINE_REMINDER_DAYS", [7, 1])})
        days = [d for d in days if d > 0]
        if not days:
            return []
        rounds = GrantRound.objects.filter(
            deadline__gt=now, deadline__lte=now + timedelta(days=days[-1])
        ).values_list("pk", "deadline")
        stage: dict[int, date] = {}
        for pk, deadline in rounds:
            n = min(d for d in days if deadline - timedelta(days=d) <= now)
            stage[pk] = timezone.localdate(deadline - timedelta(days=n))
        if not stage:
            return []
        qs = Application.objects.filter(
            status=S.DRAFT, round_id__in=stage, registered_by__isnull=True
        ).annotate(due_on=_by_date("round_id", stage))
        return self.unsent_applications(qs)

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = _applications(keys)
        users = _representatives(a.association_id for a in applications.values())
        result = []
        for key in keys:
            application = applications[key.object_id]
            context = {"deadline": application.round.deadline}
            for user in users.get(application.association_id, []):
                result.append(
                    Message(Kind.DEADLINE_APPROACHING, user, user.email, context, application)
                )
        return result


def _latest_record(transition: str | None = None) -> Subquery:
    """When the application's latest record of the flow (or of one transition) was made."""
    records = TransitionRecord.objects.filter(application=OuterRef("pk"), flow="application")
    if transition:
        records = records.filter(transition=transition)
    return Subquery(records.order_by("-seq").values("created_at")[:1])


class InfoUnanswered(Rule):
    """An application still waiting for the association's answer N days after the
    request (``NOTIFICATIONS_INFO_REMINDER_DAYS``, default 7). The request is the
    latest ``request_info`` record; the key's date is the request's date plus N, so
    a later request gets a reminder of its own."""

    name = "info_unanswered"
    object_kind = "application"

    def due(self, now: datetime) -> list[Key]:
        days = _days("NOTIFICATIONS_INFO_REMINDER_DAYS", 7)
        tz = timezone.get_current_timezone()
        qs = (
            Application.objects.filter(status=S.INFO_REQUESTED)
            .annotate(requested_at=_latest_record("request_info"))
            .filter(requested_at__lte=now - timedelta(days=days))
            .annotate(requested_on=TruncDate("requested_at", tzinfo=tz))
        )
        # Any reminder dated after this request's day belongs to this request (an
        # earlier request's reminder is dated no later than the day it was sent).
        done = self.sent(object_id=OuterRef("pk"), due_on__gt=OuterRef("requested_on"))
        rows = qs.filter(~Exists(done)).order_by().values_list("pk", "requested_at")
        return [Key(pk, timezone.localdate(at) + timedelta(days=days)) for pk, at in rows]

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = _applications(keys)
        users = _representatives(a.association_id for a in applications.values())
        days = _days("NOTIFICATIONS_INFO_REMINDER_DAYS", 7)
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            context = {
                "question": application.open_question,
                "requested_on": key.due_on - timedelta(days=days),
            }
            result += _to_association(
                Kind.INFO_UNANSWERED,
                application,
                users.get(application.association_id, []),
                context,
            )
        return result


def _meeting_keys(rule: Rule, attendance: QuerySet[Any]) -> list[Key]:
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
        days = _days("NOTIFICATIONS_ASSESSMENT_REMINDER_DAYS", 3)
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
        return _meeting_keys(self, attendance)

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
        days = _days("NOTIFICATIONS_AGENDA_READY_DAYS", 7)
        attendance = Present.objects.filter(
            meeting__body=Body.COMMITTEE,
            meeting__date__gte=today,
            meeting__date__lte=today + timedelta(days=days),
        ).filter(Exists(AgendaItem.objects.filter(meeting_id=OuterRef("meeting_id"))))
        return _meeting_keys(self, attendance)

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


class _ReportRule(Rule):
    """Granted or paid applications without a usage report, by their round's
    ``report_deadline``. A round's stage (and so the due date) is worked out per round
    in Python; the applications are then found in one query."""

    object_kind = "application"

    def stage(self, deadline: date, today: date) -> date | None:
        raise NotImplementedError

    def due(self, now: datetime) -> list[Key]:
        today = timezone.localdate(now)
        before = _days("NOTIFICATIONS_REPORT_REMINDER_DAYS", 30)
        rounds = (
            GrantRound.objects.filter(
                report_deadline__isnull=False,
                report_deadline__lte=today + timedelta(days=before),
            )
            .filter(
                Exists(
                    Application.objects.filter(round_id=OuterRef("pk"), status__in=REPORT_PENDING)
                )
            )
            .values_list("pk", "report_deadline")
        )
        stage = {pk: day for pk, deadline in rounds if (day := self.stage(deadline, today))}
        if not stage:
            return []
        qs = Application.objects.filter(status__in=REPORT_PENDING, round_id__in=stage).annotate(
            due_on=_by_date("round_id", stage)
        )
        return self.unsent_applications(qs)


class ReportDue(_ReportRule):
    """Due ``NOTIFICATIONS_REPORT_REMINDER_DAYS`` (default 30) before the deadline,
    until the deadline."""

    name = "report_due"

    def stage(self, deadline: date, today: date) -> date | None:
        start = deadline - timedelta(days=_days("NOTIFICATIONS_REPORT_REMINDER_DAYS", 30))
        return start if start <= today <= deadline else None

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = _applications(keys)
        users = _representatives(a.association_id for a in applications.values())
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            context = {"deadline": application.round.report_deadline}
            result += _to_association(
                Kind.REPORT_DUE, application, users.get(application.association_id, []), context
            )
        return result


class ReportOverdue(_ReportRule):
    """Overdue: due on the deadline plus 7k days (k = 1, 2, …), one reminder a week
    (the latest week only, if runs were missed). From week
    ``NOTIFICATIONS_REPORT_ESCALATE_AFTER_WEEKS`` (default 1) the case officers are
    told too; 0 never escalates."""

    name = "report_overdue"

    def stage(self, deadline: date, today: date) -> date | None:
        weeks = (today - deadline).days // 7
        return deadline + timedelta(days=7 * weeks) if weeks >= 1 else None

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        applications = _applications(keys)
        users = _representatives(a.association_id for a in applications.values())
        escalate = _days("NOTIFICATIONS_REPORT_ESCALATE_AFTER_WEEKS", 1)
        weeks_of = {}
        for key in keys:
            deadline = applications[key.object_id].round.report_deadline
            assert deadline is not None  # the rule selects rounds with a deadline
            weeks_of[key] = (key.due_on - deadline).days // 7
        escalated = {
            applications[k.object_id].municipality_id
            for k, weeks in weeks_of.items()
            if escalate and weeks >= escalate
        }
        officers = _case_officers(escalated) if escalated else {}
        result: list[Message] = []
        for key in keys:
            application = applications[key.object_id]
            context = {"deadline": application.round.report_deadline, "weeks": weeks_of[key]}
            result += _to_association(
                Kind.REPORT_OVERDUE, application, users.get(application.association_id, []), context
            )
            if escalate and weeks_of[key] >= escalate:
                result += [
                    Message(Kind.REPORT_OVERDUE_STAFF, user, user.email, context, application)
                    for user in officers.get(application.municipality_id, [])
                ]
        return result


class WaitingDigest(Rule):
    """A daily digest per case officer of the applications of their municipality that
    have waited in one state (``WAITING_STATES``) longer than the municipality's
    ``state_target_days``, counted from the application's latest transition. Keyed
    (municipality, date, officer); due from ``NOTIFICATIONS_DIGEST_HOUR`` (default 7,
    Copenhagen time), so it arrives in the morning."""

    name = "waiting_digest"
    object_kind = "municipality"

    def due(self, now: datetime) -> list[Key]:
        local = timezone.localtime(now)
        if local.hour < _days("NOTIFICATIONS_DIGEST_HOUR", 7):
            return []
        today = local.date()
        done = self.sent(
            object_id=OuterRef("municipality_id"), due_on=today, recipient_key=OuterRef("user_id")
        )
        officers = list(
            StaffRole.objects.filter(role=Role.CASE_OFFICER, user__is_active=True)
            .filter(~Exists(done))
            .values_list("municipality_id", "user_id")
            .distinct()
        )
        if not officers:
            return []
        waiting = set(
            self.waiting(now, {m for m, _ in officers})
            .order_by()
            .values_list("municipality_id", flat=True)
            .distinct()
        )
        return [Key(m, today, user_id) for m, user_id in officers if m in waiting]

    def waiting(self, now: datetime, municipality_ids: set[int]) -> QuerySet[Application]:
        targets = set(
            Municipality.objects.filter(pk__in=municipality_ids)
            .order_by()
            .values_list("state_target_days", flat=True)
        )
        late = Q(pk__in=[])
        for days in targets:
            late |= Q(municipality__state_target_days=days, entered__lte=now - timedelta(days=days))
        return (
            Application.objects.filter(
                municipality_id__in=municipality_ids, status__in=WAITING_STATES
            )
            .annotate(entered=_latest_record())
            .filter(late)
        )

    def messages(self, keys: list[Key], now: datetime) -> list[Message]:
        municipality_ids = {k.object_id for k in keys}
        municipalities = Municipality.objects.in_bulk(municipality_ids)
        officers = get_user_model().objects.in_bulk({k.recipient_key for k in keys})
        lists: dict[int, list[Application]] = defaultdict(list)
        for application in self.waiting(now, municipality_ids).order_by("entered", "pk"):
            lists[application.municipality_id].append(application)
        result = []
        for key in keys:
            user, waiting = officers.get(key.recipient_key), lists.get(key.object_id, [])
            if user is None or not waiting:
                continue
            municipality = municipalities[key.object_id]
            rows = [
                {
                    "application": a,
                    "since": a.entered,  # type: ignore[attr-defined]
                    "days": (now - a.entered).days,  # type: ignore[attr-defined]
                }
                for a in waiting[:DIGEST_LIMIT]
            ]
            context = {
                "municipality": municipality,
                "target_days": municipality.state_target_days,
                "rows": rows,
                "total": len(waiting),
                "more": max(len(waiting) - DIGEST_LIMIT, 0),
            }
            result.append(Message(Kind.WAITING_DIGEST, user, user.email, context))
        return result


RULES: list[Rule] = [
    DeadlineApproaching(),
    InfoUnanswered(),
    AssessmentsMissing(),
    AgendaReady(),
    ReportDue(),
    ReportOverdue(),
    WaitingDigest(),
]


# --- claiming keys and writing the notifications -------------------------------------------


def _claim(rule: Rule, keys: list[Key], now: datetime) -> list[Key]:
    """Insert the keys; return those this call inserted (the others existed already)."""
    run = uuid.uuid4()
    Reminder.objects.bulk_create(
        [
            Reminder(
                rule=rule.name,
                object_kind=rule.object_kind,
                object_id=k.object_id,
                due_on=k.due_on,
                recipient_key=k.recipient_key,
                run=run,
                created_at=now,
            )
            for k in keys
        ],
        ignore_conflicts=True,
    )
    won = rule.sent(object_id__in={k.object_id for k in keys}, run=run).values_list(
        "object_id", "due_on", "recipient_key"
    )
    return sorted(Key(*row) for row in won)


def _write(messages: list[Message], now: datetime) -> int:
    """Write the notifications (built as ``services.notify`` builds them, inserted in
    bulk) and queue their delivery for after the commit. Reminders are never legal
    notices: a user who has switched a kind off gets nothing of it."""
    preferences = preferences_of(m.user for m in messages if m.user is not None)
    rows = []
    for message in messages:
        row = build_notification(
            kind=message.kind,
            user=message.user,
            email=message.email,
            preference=preferences.get(message.user.pk) if message.user is not None else None,
            application=message.application,
            context=message.context,
            legal=False,
            now=now,
        )
        if row is not None:
            rows.append(row)
    # Notification is not a domain model with history: a bulk insert is allowed, and
    # PostgreSQL and SQLite ≥ 3.35 hand back the ids the delivery tasks need.
    Notification.objects.bulk_create(rows, batch_size=500)
    for row in rows:
        if row.channel == Channel.EMAIL:
            enqueue_on_commit(row.pk)
    return len(rows)


class RunResult(dict[str, int]):
    """Reminders sent per rule; ``finished`` is False when the time budget ran out
    before every rule was through (the next run carries on where this one stopped)."""

    finished: bool = True


def run_rule(rule: Rule, now: datetime, stop_at: float | None = None) -> tuple[int, bool]:
    """Send what ``rule`` has due, in batches; starts no batch after ``stop_at``
    (``time.monotonic()``). Returns how many reminders this run sent, and whether it
    got through them all."""
    keys = sorted(rule.due(now))
    size = _days("NOTIFICATIONS_REMINDER_BATCH", 1000)
    sent = 0
    for start in range(0, len(keys), size):
        if stop_at is not None and time.monotonic() >= stop_at:
            return sent, False
        with transaction.atomic():
            won = _claim(rule, keys[start : start + size], now)
            if won:
                _write(rule.messages(won, now), now)
            sent += len(won)
    return sent, True


def run_reminders(now: datetime | None = None, *, budget: float | None = None) -> RunResult:
    """Evaluate every rule and send what is due; returns the reminders sent per rule.

    ``budget`` (seconds) bounds a run from beat: no new batch is started after it. A
    failing rule is logged and does not keep the others from running; the error is
    raised at the end so that the task is recorded as failed.
    """
    now = now or timezone.now()
    stop_at = time.monotonic() + budget if budget is not None else None
    result = RunResult()
    first_error: Exception | None = None
    for rule in RULES:
        try:
            result[rule.name], done = run_rule(rule, now, stop_at)
        except Exception as error:
            logger.exception("reminder rule %s failed", rule.name)
            first_error = first_error or error
            continue
        if not done:
            result.finished = False
            break
    if first_error is not None:
        raise first_error
    return result

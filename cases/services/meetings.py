"""Preparing meetings: the case officer creates them and puts applications on the agenda."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import permissions, roles
from cases.models import (
    AgendaItem,
    Application,
    ApplicationStatus,
    Assessment,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    ConflictSource,
    GrantRound,
    Meeting,
    Role,
)
from cases.services.criteria import parse_criterion_values, save_criterion_values

# The state an application must be in to be treated by each body.
READY_FOR = {
    Body.COUNCIL: ApplicationStatus.IN_COUNCIL_REVIEW,
    Body.COMMITTEE: ApplicationStatus.RECOMMENDED,
}


def _require_case_officer(user: Any, grant_round: GrantRound) -> None:
    if not roles.profile(user).has_role(grant_round.municipality_id, Role.CASE_OFFICER):
        raise PermissionDenied(_("Only a case officer prepares meetings."))


def meeting_create(
    *,
    grant_round: GrantRound,
    body: str,
    date: datetime.date,
    members_present: Iterable[Any],
    acting_user: Any,
) -> Meeting:
    _require_case_officer(acting_user, grant_round)
    if body not in Body.values:
        raise ValidationError({"body": _("Choose the council or the committee.")})
    with transaction.atomic():
        meeting = Meeting(round=grant_round, body=body, date=date, created_by=acting_user)
        meeting._history_user = acting_user  # type: ignore[attr-defined]
        meeting.save()
        meeting.members_present.set(list(members_present))
    return meeting


def agenda_add(*, meeting: Meeting, applications: Iterable[Application], acting_user: Any) -> int:
    """Put applications on the agenda, in order; refuses any not in the state this body treats."""
    _require_case_officer(acting_user, meeting.round)
    wanted = READY_FOR[Body(meeting.body)]
    added = 0
    with transaction.atomic():
        # One adder at a time per meeting: two case officers adding what is ready at once
        # both read the agenda without the other's items, and the second insert broke the
        # unique (meeting, application) with a 500 (issue 19's load test).
        Meeting.objects.select_for_update(no_key=True).filter(pk=meeting.pk).first()
        position = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
        present = set(meeting.agenda_items.values_list("application_id", flat=True))
        for application in applications:
            if application.round_id != meeting.round_id or application.status != wanted:
                raise ValidationError(
                    _("%(case)s cannot go on this agenda: it is “%(status)s”.")
                    % {"case": application.case_number, "status": application.get_status_display()}
                )
            if application.pk in present:
                continue
            position += 1
            item = AgendaItem(meeting=meeting, application=application, position=position)
            item._history_user = acting_user  # type: ignore[attr-defined]
            item.save()
            added += 1
    return added


def agenda_add_all_ready(*, meeting: Meeting, acting_user: Any) -> int:
    """The one action: every application of the round in the state this body treats."""
    ready = Application.objects.filter(
        round_id=meeting.round_id, status=READY_FOR[Body(meeting.body)]
    ).order_by("submitted_at", "case_number")
    return agenda_add(meeting=meeting, applications=list(ready), acting_user=acting_user)


def _event(
    application: Application, *, name: str, actor: Any, role: str, reason: str, **payload: Any
) -> None:
    """A case event that is not a state change (a conflict declared, ruled, a recusal):
    recorded in the same hash chain as the transitions, with the case row locked."""
    from cases.trail.chain import record_transition

    locked = Application.objects.select_for_update().get(pk=application.pk)
    record_transition(
        application=locked,
        flow="conflicts",
        transition=name,
        from_state=locked.status,
        to_state=locked.status,
        actor=actor,
        role=role,
        reason=reason,
        payload=payload,
    )


def _body_role(user: Any, application: Application) -> str:
    who = roles.profile(user)
    for role in (
        Role.CASE_OFFICER,
        Role.COUNCIL_CHAIR,
        Role.COUNCIL_MEMBER,
        Role.COMMITTEE_CHAIR,
        Role.COMMITTEE_MEMBER,
        Role.MANAGER,
    ):
        if who.has_role(application.municipality_id, role):
            return str(role)
    return ""


def conflict_declare(*, application: Application, member: Any, reason: str) -> ConflictDeclaration:
    """Anyone who acts on the case declares a tie to the applying association (fvl. § 3):
    a case officer, a council or committee member or chair."""
    role = _body_role(member, application)
    if role not in permissions.ACTING_ROLES:
        raise PermissionDenied(
            _("Only those who act on the case (case officers, council and committee) declare ties.")
        )
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Describe your tie to the association.")})
    with transaction.atomic():
        declaration, _created = ConflictDeclaration.objects.get_or_create(
            application=application,
            member=member,
            defaults={"source": ConflictSource.DECLARED, "reason": text, "role": role},
        )
        if not _created:
            raise ValidationError(_("You have already declared a conflict on this application."))
        _event(application, name="declare_conflict", actor=member, role=role, reason=text)
    permissions.forget_conflicts(application)
    return declaration


def conflict_rule(
    *,
    declaration: ConflictDeclaration,
    acting_user: Any,
    conflicted: bool,
    reason: str,
    meeting: Meeting | None = None,
) -> None:
    """Record the ruling on a declared tie (forvaltningsloven § 6).

    A council or committee member's: the body's decision at ``meeting``, taken by the
    members present there without the member concerned (and without anyone conflicted),
    recorded by the chair or, when the chair is concerned, another member; the body must
    be quorate without the member. A case officer's: their manager's decision.
    """
    application = declaration.application
    permissions.require_may_rule(acting_user, declaration)
    if declaration.source != ConflictSource.DECLARED:
        raise ValidationError(_("A board tie always makes a member conflicted."))
    if declaration.ruling != ConflictRuling.PENDING:
        raise ValidationError(_("The ruling on this declaration has already been recorded."))
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Give the reasons for the ruling.")})
    body = permissions.ruled_by_body(declaration)
    participants: list[int] = []
    if body:
        problem = permissions.ruling_meeting_problem(acting_user, declaration, meeting)
        if problem:
            raise ValidationError({"meeting": problem})
        assert meeting is not None  # ruling_meeting_problem says so otherwise
        participants = permissions.ruling_quorum(declaration, meeting)["present"]
    else:
        meeting = None
        participants = [acting_user.pk]
    with transaction.atomic():
        declaration.ruling = (
            ConflictRuling.CONFLICTED if conflicted else ConflictRuling.NOT_CONFLICTED
        )
        declaration.ruled_by = acting_user
        declaration.ruling_reason = text
        declaration.ruling_meeting = meeting
        declaration.ruled_at = timezone.now()
        declaration._history_user = acting_user  # type: ignore[attr-defined]
        declaration.save(
            update_fields=["ruling", "ruled_by", "ruling_reason", "ruling_meeting", "ruled_at"]
        )
        declaration.ruling_participants.set(participants)
        _event(
            application,
            name="rule_conflict",
            actor=acting_user,
            role=_body_role(acting_user, application) if body else str(Role.MANAGER),
            reason=declaration.ruling_reason,
            member=declaration.member_id,
            declared_as=declaration.role,
            ruling=declaration.ruling,
            ruled_by=body or "manager",
            meeting=meeting.pk if meeting is not None else None,
            participants=participants,
        )
    permissions.forget_conflicts(application)


def assessment_record(
    *,
    meeting: Meeting,
    application: Application,
    member: Any,
    outcome: str,
    amount: Any,
    comment: str,
    criteria: Mapping[Any, Any] | None = None,
) -> Assessment:
    """A present, non-conflicted council member's individual assessment of one item;
    ``criteria``: a value per criterion of the round (``cases.services.criteria``)."""
    from decimal import Decimal, InvalidOperation

    if meeting.body != Body.COUNCIL:
        raise ValidationError(_("Assessments are recorded at council meetings."))
    if not roles.profile(member).has_role(
        application.municipality_id, Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR
    ):
        raise PermissionDenied(_("Only council members record assessments."))
    if not meeting.agenda_items.filter(application=application).exists():
        raise ValidationError(_("The application is not on this meeting's agenda."))
    permissions.require_may_take_part(member, meeting, application)
    if application.status != ApplicationStatus.IN_COUNCIL_REVIEW:
        raise ValidationError(_("The council has already recommended on this application."))
    requested = application.amount_requested or Decimal("0")
    if outcome == "grant":
        value = requested
    elif outcome == "refuse":
        value = Decimal("0")
    elif outcome == "partial":
        try:
            value = Decimal(str(amount)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise ValidationError({"amount": _("Enter an amount in kroner.")}) from None
        if not Decimal("0") < value < requested:
            raise ValidationError(
                {"amount": _("A partial amount lies between 0 and the amount requested.")}
            )
    else:
        raise ValidationError({"outcome": _("Choose support in full, in part, or refuse.")})
    values = parse_criterion_values(application.round, criteria)
    with transaction.atomic():
        assessment = Assessment.objects.filter(
            meeting=meeting, application=application, member=member
        ).first() or Assessment(meeting=meeting, application=application, member=member)
        assessment.outcome, assessment.amount, assessment.comment = outcome, value, comment.strip()
        assessment._history_user = member  # type: ignore[union-attr]
        assessment.save()
        save_criterion_values(assessment=assessment, values=values, acting_user=member)
    return assessment

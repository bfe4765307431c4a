"""The rules that are not transitions, each written once: conflicts of interest
(forvaltningsloven § 3) and who rules on them, presence and quorum at a meeting.

The screens, the API, the domain services and the flows all call these; a rule found
in two places is a bug waiting for its day.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet, Value
from django.utils.translation import gettext as _

from cases import roles
from cases.compiled import Compiled
from cases.models import (
    Application,
    AssociationMember,
    Body,
    ConflictDeclaration,
    ConflictRuling,
    Meeting,
    Role,
    StaffRole,
)

COUNCIL_ROLES = (Role.COUNCIL_MEMBER, Role.COUNCIL_CHAIR)
COMMITTEE_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
BODY_OF_ROLE = {
    **{role: Body.COUNCIL for role in COUNCIL_ROLES},
    **{role: Body.COMMITTEE for role in COMMITTEE_ROLES},
}
CHAIR_OF = {Body.COUNCIL: Role.COUNCIL_CHAIR, Body.COMMITTEE: Role.COMMITTEE_CHAIR}
ROLES_OF_BODY = {Body.COUNCIL: COUNCIL_ROLES, Body.COMMITTEE: COMMITTEE_ROLES}
# Everyone who acts on a case, and so declares a tie to the applying association.
ACTING_ROLES = (Role.CASE_OFFICER, *COUNCIL_ROLES, *COMMITTEE_ROLES)
# A tie that disqualifies by itself (forvaltningsloven § 3, stk. 1, nr. 2 and 3): sitting on
# the association's board, or acting for it. Read here, in the council's selectors, the bulk
# sheet and the minutes; a ruling never clears it.
DISQUALIFYING_TIE = Q(is_board_member=True) | Q(can_represent=True)


def _conflicted_parts(association: int, application: int) -> tuple[QuerySet[Any], QuerySet[Any]]:
    # The known ties, and the declared ties. A ruling can clear a declared tie, never a
    # known board or representation tie.
    return (
        AssociationMember.objects.filter(DISQUALIFYING_TIE, association_id=association),
        ConflictDeclaration.objects.filter(application_id=application).exclude(
            ruling=ConflictRuling.NOT_CONFLICTED
        ),
    )


def _conflicted(association: int, application: int) -> QuerySet[Any]:
    ties, declared = _conflicted_parts(association, application)
    return ties.values_list("user_id").union(declared.values_list("member_id"))


CONFLICTED = Compiled(_conflicted, "association", "application")


def conflicted_member_ids(application: Application) -> set[int]:
    """Members conflicted on this application (forvaltningsloven § 3), cached on the object.

    Known board ties count automatically; a declared tie counts until the body rules
    that it does not.
    """
    cached = getattr(application, "_conflicted_ids", None)
    if cached is not None:
        return cached
    # One round trip, compiled once: every permission check of a transition asks this. An
    # application not yet saved has no declarations (no id is 0).
    rows = CONFLICTED.rows(association=application.association_id, application=application.pk or 0)
    ids = {row[0] for row in rows}
    application._conflicted_ids = ids  # type: ignore[attr-defined]
    return ids


def forget_conflicts(application: Application) -> None:
    if hasattr(application, "_conflicted_ids"):
        del application._conflicted_ids


def is_conflicted(user: Any, application: Application) -> bool:
    return user.pk in conflicted_member_ids(application)


def _people_parts(meeting: int, roles_of_body: tuple[str, ...]) -> list[QuerySet[Any]]:
    # The members present (0) and the body's members in the meeting's municipality (1).
    return [
        Meeting.members_present.through.objects.filter(meeting_id=meeting)
        .order_by()
        .annotate(who=Value(0))
        .values_list("user_id", "who"),  # type: ignore[misc]  # an annotation the stubs miss
        StaffRole.objects.filter(municipality__rounds__meetings=meeting, role__in=roles_of_body)
        .order_by()
        .annotate(who=Value(1))
        .values_list("user_id", "who"),
    ]


def _people_of(roles_of_body: tuple[str, ...]) -> Compiled:
    # One UNION ALL: a quorum asks both, and a transition pays a round trip per statement.
    def build(meeting: int) -> QuerySet[Any]:
        present, members = _people_parts(meeting, roles_of_body)
        return present.union(members, all=True)

    return Compiled(build, "meeting")


def _people_and_conflicted_of(roles_of_body: tuple[str, ...]) -> Compiled:
    # The same, and who is conflicted on the case (2): what a transition at a meeting checks.
    def build(meeting: int, association: int, application: int) -> QuerySet[Any]:
        present, members = _people_parts(meeting, roles_of_body)
        ties, declared = (
            part.order_by().annotate(who=Value(2)).values_list(column, "who")
            for part, column in zip(
                _conflicted_parts(association, application), ("user_id", "member_id"), strict=True
            )
        )
        return present.union(members, ties, declared, all=True)

    return Compiled(build, "meeting", "association", "application")


# Read by every quorum (a recommendation, a decision): compiled once (cases/compiled.py).
PEOPLE = {Body.COUNCIL: _people_of(COUNCIL_ROLES), Body.COMMITTEE: _people_of(COMMITTEE_ROLES)}
PEOPLE_AND_CONFLICTED = {
    Body.COUNCIL: _people_and_conflicted_of(COUNCIL_ROLES),
    Body.COMMITTEE: _people_and_conflicted_of(COMMITTEE_ROLES),
}


def _body(meeting: Meeting) -> Body:
    return Body.COUNCIL if meeting.body == Body.COUNCIL else Body.COMMITTEE


def _read_people(meeting: Meeting) -> None:
    _keep_people(meeting, PEOPLE[_body(meeting)].rows(meeting=meeting.pk))


def _keep_people(meeting: Meeting, rows: list[tuple[int, int]]) -> set[int]:
    found: tuple[set[int], set[int], set[int]] = (set(), set(), set())
    for user_id, who in rows:
        found[who].add(user_id)
    meeting._present_ids, meeting._member_ids = found[0], found[1]  # type: ignore[attr-defined]
    return found[2]


def read_meeting_people(meeting: Meeting, application: Application) -> None:
    """The meeting's members present and its body's members (``present_ids``,
    ``meeting_member_ids``) and who is conflicted on the case (``conflicted_member_ids``),
    read in one statement and cached on the two objects: what a recommendation or a
    decision at the meeting checks (``ApplicationFlowBase.prepare``)."""
    rows = PEOPLE_AND_CONFLICTED[_body(meeting)].rows(
        meeting=meeting.pk,
        association=application.association_id,
        application=application.pk or 0,
    )
    application._conflicted_ids = _keep_people(meeting, rows)  # type: ignore[attr-defined]


def present_ids(meeting: Meeting) -> set[int]:
    """The members registered as present at the meeting, cached on the object (with the
    body's members: ``meeting_member_ids``)."""
    if getattr(meeting, "_present_ids", None) is None:
        _read_people(meeting)
    return meeting._present_ids  # type: ignore[attr-defined]


def meeting_member_ids(meeting: Meeting) -> set[int]:
    """The members of the meeting's body in its round's municipality, cached on the object
    (read with ``present_ids``)."""
    if getattr(meeting, "_member_ids", None) is None:
        _read_people(meeting)
    return meeting._member_ids  # type: ignore[attr-defined]


def is_present(meeting: Meeting, user: Any) -> bool:
    return user.pk in present_ids(meeting)


def require_may_take_part(user: Any, meeting: Meeting, application: Application) -> None:
    """A member takes part in an item (assesses it) only if present and not conflicted.

    The screens and the API ask this before they read the member's input; the service
    asks it again when it writes.
    """
    if not is_present(meeting, user):
        raise PermissionDenied(_("You are not registered as present at this meeting."))
    if is_conflicted(user, application):
        raise PermissionDenied(
            _("You are conflicted on %(case)s and take no part in it.")
            % {"case": application.case_number}
        )


def quorum_setting(municipality: Any, body: str) -> int | None:
    """The municipality's fixed quorum for ``body`` (None: the default, a majority)."""
    if body == Body.COUNCIL:
        return municipality.council_quorum
    return municipality.committee_quorum


def quorum_of(
    setting: int | None, members: set[int], excluded: set[int], present: set[int]
) -> dict[str, Any]:
    """The quorum rule, written once: members who are conflicted (disqualified) do not count.

    Met when at least ``setting`` of the body's other members are present; without a
    setting, more than half of them. ``present``/``conflicted``: sorted ids.
    """
    eligible = members - excluded
    counted = present & eligible
    required = setting or (len(eligible) // 2 + 1)
    return {
        "met": len(counted) >= required,
        "present": sorted(counted),
        "required": required,
        "conflicted": sorted(excluded & present),
    }


def meeting_quorum(application: Application, meeting: Meeting) -> dict[str, Any]:
    """Is the meeting's body (council or committee) quorate on this item?

    Default: more than half of the body's members who are not conflicted on the case
    must be present; a municipality can set a fixed number instead
    (``Municipality.council_quorum`` / ``committee_quorum``).
    """
    return quorum_of(
        quorum_setting(application.municipality, meeting.body),
        # The meeting's round is the application's (an agenda lists its own round's cases).
        meeting_member_ids(meeting),
        conflicted_member_ids(application),
        present_ids(meeting),
    )


def council_quorum(application: Application, meeting: Meeting) -> dict[str, Any]:
    """Is the council quorate on this item? (``meeting_quorum`` for a council meeting.)"""
    return meeting_quorum(application, meeting)


# --- who rules on a declared tie ---------------------------------------------------------


def bodies_of(municipality_id: int, user_ids: Iterable[int]) -> dict[int, set[str]]:
    """The bodies (council, committee) each user sits on in the municipality (one query)."""
    found: dict[int, set[str]] = {pk: set() for pk in user_ids}
    for user_id, role in StaffRole.objects.filter(
        municipality_id=municipality_id, user_id__in=list(found), role__in=list(BODY_OF_ROLE)
    ).values_list("user_id", "role"):
        found[user_id].add(str(BODY_OF_ROLE[role]))
    return found


def ruled_by_body(declaration: ConflictDeclaration, member_bodies: set[str] | None = None) -> str:
    """The body that rules on the declaration ("" when it is the manager's: a case officer's).

    The body of the role the person declared in; a declaration made before roles were
    recorded belongs to the body the member sits on (the council first).
    """
    role = declaration.role
    if role in BODY_OF_ROLE:
        return str(BODY_OF_ROLE[Role(role)])
    if role:
        return ""
    if member_bodies is None:
        application = declaration.application
        member_bodies = bodies_of(application.municipality_id, [declaration.member_id])[
            declaration.member_id
        ]
    return min(member_bodies) if member_bodies else ""


def _body_name(application: Application, body: str) -> str:
    municipality = application.municipality
    return municipality.council_name if body == Body.COUNCIL else municipality.committee_name


def ruling_refusal(
    user: Any,
    declaration: ConflictDeclaration,
    *,
    member_bodies: set[str] | None = None,
    conflicted_ids: set[int] | None = None,
    chair_ids: set[int] | None = None,
) -> str:
    """Why ``user`` may not record the ruling on ``declaration`` ("" when they may).

    Forvaltningsloven § 6: a council or committee member's tie is ruled on by the body,
    at a meeting, without the member concerned; the body's chair records it, or another
    member of the body when the chair is the one concerned or is conflicted. A case
    officer's tie is ruled on by their manager. Never by the person concerned, nor by
    anyone conflicted on the case. Whether the meeting is quorate without the member is
    ``ruling_meeting_problem``'s question. A page listing many declarations passes
    ``member_bodies`` (``bodies_of``), ``conflicted_ids`` (``conflicted_member_ids``) and
    ``chair_ids`` (``chairs_of``) read in bulk.
    """
    application = declaration.application
    municipality_id = application.municipality_id
    who = roles.profile(user)
    body = ruled_by_body(declaration, member_bodies)
    if user.pk == declaration.member_id:
        return _("You cannot take part in the ruling on your own tie.")
    if not body:
        if not who.has_role(municipality_id, Role.MANAGER):
            return _(
                "Only the case officers' manager rules on a case officer's declaration "
                "(forvaltningsloven § 6)."
            )
    else:
        if member_bodies is None:
            member_bodies = bodies_of(municipality_id, [declaration.member_id])[
                declaration.member_id
            ]
        if body not in member_bodies:
            return _("The member no longer sits on %(body)s.") % {
                "body": _body_name(application, body)
            }
        if not who.has_role(municipality_id, *ROLES_OF_BODY[Body(body)]):
            return _(
                "Only %(body)s rules on a declaration by one of its members, at a meeting "
                "without the member concerned."
            ) % {"body": _body_name(application, body)}
        if not who.has_role(municipality_id, CHAIR_OF[Body(body)]):
            chairs = chairs_of(municipality_id, body) if chair_ids is None else chair_ids
            conflicted = (
                conflicted_member_ids(application) if conflicted_ids is None else conflicted_ids
            )
            if chairs - conflicted - {declaration.member_id}:
                return _(
                    "The chair records the body's ruling; another member records it only "
                    "when the chair is the one concerned or is conflicted."
                )
    conflicted = conflicted_member_ids(application) if conflicted_ids is None else conflicted_ids
    if user.pk in conflicted:
        return _("You are conflicted on %(case)s yourself and take no part in rulings on it.") % {
            "case": application.case_number
        }
    return ""


def chairs_of(municipality_id: int, body: str) -> set[int]:
    return set(
        StaffRole.objects.filter(
            municipality_id=municipality_id, role=CHAIR_OF[Body(body)]
        ).values_list("user_id", flat=True)
    )


def require_may_rule(user: Any, declaration: ConflictDeclaration) -> None:
    """The screen, the API and the service ask this before a ruling is recorded."""
    refusal = ruling_refusal(user, declaration)
    if refusal:
        raise PermissionDenied(refusal)


# --- requests for access to documents (aktindsigt) -------------------------------------------
# Case officers register and handle them; auditors read the register; nobody else.
ACCESS_HANDLERS = (Role.CASE_OFFICER, Role.MANAGER)
ACCESS_READERS = (Role.CASE_OFFICER, Role.MANAGER, Role.AUDITOR)


def may_read_access_requests(user: Any, municipality_id: int) -> bool:
    return roles.profile(user).has_role(municipality_id, *ACCESS_READERS)


def may_handle_access_requests(user: Any, municipality_id: int) -> bool:
    return roles.profile(user).has_role(municipality_id, *ACCESS_HANDLERS)


def require_may_handle_access_requests(user: Any, municipality_id: int) -> None:
    if not may_handle_access_requests(user, municipality_id):
        raise PermissionDenied(_("Only a case officer handles requests for access to documents."))


def ruling_quorum(declaration: ConflictDeclaration, meeting: Meeting) -> dict[str, Any]:
    """Is the body quorate on the ruling without the member concerned? The council's quorum
    rule (``council_quorum``), with the member concerned counted out."""
    application = declaration.application
    return quorum_of(
        quorum_setting(application.municipality, meeting.body),
        meeting_member_ids(meeting),
        conflicted_member_ids(application) | {declaration.member_id},
        present_ids(meeting),
    )


def ruling_meeting_problem(
    user: Any, declaration: ConflictDeclaration, meeting: Meeting | None
) -> str:
    """Why the body cannot rule on ``declaration`` at ``meeting`` ("" when it can)."""
    body = ruled_by_body(declaration)
    if not body:
        return ""
    application = declaration.application
    if meeting is None:
        return _("Choose the meeting of %(body)s at which it ruled.") % {
            "body": _body_name(application, body)
        }
    if (
        meeting.body != body
        or meeting.round_id != application.round_id
        or not meeting.agenda_items.filter(application_id=application.pk).exists()
    ):
        return _("Choose a meeting of %(body)s with the case on its agenda.") % {
            "body": _body_name(application, body)
        }
    if not is_present(meeting, user):
        return _("You are not registered as present at that meeting.")
    quorum = ruling_quorum(declaration, meeting)
    if not quorum["met"]:
        return _(
            "%(body)s is not quorate without the member concerned: %(present)s of the "
            "%(required)s members needed are present."
        ) % {
            "body": _body_name(application, body),
            "present": len(quorum["present"]),
            "required": quorum["required"],
        }
    return ""


# The rules on the case file and on staff work live beside this module; import them from
# the package (``from cases import permissions``) like every other rule.
from .case_file import (  # noqa: E402, F401  (re-exported)
    NOTE_WRITER_ROLES,
    message_refusal,
    message_side,
    note_refusal,
    note_role,
    require_may_register_documents,
    require_may_write_messages,
    require_may_write_notes,
)
from .staff_work import (  # noqa: E402, F401  (re-exported)
    ROUND_EDITORS,
    assign_refusal,
    assignee_problem,
    may_edit_rounds,
    require_may_assign,
    require_may_edit_rounds,
)

"""Who may act on an application, and in which role.

A rule takes (flow, user) and returns the name of the role the user acts in,
or "" when they may not. viewflow.fsm accepts these as ``permission=`` callables
(a non-empty string is truthy) but does not call them itself: the engine does,
before every transition, and records the role on the transition record.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cases.models import Role

if TYPE_CHECKING:
    from cases.models import Application

APPLICANT = "applicant"


@dataclass
class ActorProfile:
    """What one user is, loaded once per request (two queries) and cached on the user."""

    roles: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    represents: set[int] = field(default_factory=set)
    board_of: set[int] = field(default_factory=set)

    def has_role(self, municipality_id: int, *roles: str) -> bool:
        return bool(self.roles.get(municipality_id, set()) & set(roles))

    @property
    def municipality_ids(self) -> set[int]:
        return {m for m, roles in self.roles.items() if roles}

    @property
    def is_staff_anywhere(self) -> bool:
        return bool(self.municipality_ids)


def profile(user: Any) -> ActorProfile:
    cached = getattr(user, "_puljeflow_profile", None)
    if cached is not None:
        return cached
    result = ActorProfile()
    if user is not None and user.is_authenticated and user.is_active:
        for municipality_id, role in user.staff_roles.values_list("municipality_id", "role"):
            result.roles[municipality_id].add(role)
        for association_id, represents, board in user.association_ties.values_list(
            "association_id", "can_represent", "is_board_member"
        ):
            if represents:
                result.represents.add(association_id)
            if board:
                result.board_of.add(association_id)
    user._puljeflow_profile = result
    return result


def forget_profile(user: Any) -> None:
    if hasattr(user, "_puljeflow_profile"):
        del user._puljeflow_profile


def represents(user: Any, application: Application) -> bool:
    return application.association_id in profile(user).represents


def staff_role(user: Any, application: Application, role: str) -> bool:
    return profile(user).has_role(application.municipality_id, role)


def conflicted_member_ids(application: Application) -> set[int]:
    """Members conflicted on this application (forvaltningsloven § 3), cached on the object.

    Known board ties count automatically; a declared tie counts until the body rules
    that it does not.
    """
    cached = getattr(application, "_conflicted_ids", None)
    if cached is not None:
        return cached
    from cases.models import AssociationMember, ConflictDeclaration, ConflictRuling

    ids = set(
        AssociationMember.objects.filter(
            association_id=application.association_id, is_board_member=True
        ).values_list("user_id", flat=True)
    )
    # A ruling can clear a declared tie, never a known board tie.
    ids |= set(
        ConflictDeclaration.objects.filter(application_id=application.pk)
        .exclude(ruling=ConflictRuling.NOT_CONFLICTED)
        .values_list("member_id", flat=True)
    )
    application._conflicted_ids = ids  # type: ignore[attr-defined]
    return ids


def forget_conflicts(application: Application) -> None:
    if hasattr(application, "_conflicted_ids"):
        del application._conflicted_ids


def is_conflicted(user: Any, application: Application) -> bool:
    return user.pk in conflicted_member_ids(application)


Rule = Callable[[Any, Any], str]


def applicant(flow: Any, user: Any) -> str:
    return APPLICANT if represents(user, flow.application) else ""


def applicant_or_paper_case_officer(flow: Any, user: Any) -> str:
    """The association acts itself; on a paper application the case officer types it in."""
    if represents(user, flow.application):
        return APPLICANT
    if flow.application.is_paper and staff_role(user, flow.application, Role.CASE_OFFICER):
        return Role.CASE_OFFICER
    return ""


def case_officer(flow: Any, user: Any) -> str:
    return Role.CASE_OFFICER if staff_role(user, flow.application, Role.CASE_OFFICER) else ""


def quick_pool_case_officer(flow: Any, user: Any) -> str:
    """In a quick pool (akutpulje) the case officer decides; elsewhere nobody takes this path."""
    if not flow.application.round.decided_by_administration:
        return ""
    return case_officer(flow, user)


def _chair(flow: Any, user: Any, role: str) -> str:
    # The role check is free (cached profile); the conflict check costs queries, so it comes last.
    if not staff_role(user, flow.application, role) or is_conflicted(user, flow.application):
        return ""
    return role


def council_chair(flow: Any, user: Any) -> str:
    return _chair(flow, user, Role.COUNCIL_CHAIR)


def committee_chair(flow: Any, user: Any) -> str:
    return _chair(flow, user, Role.COMMITTEE_CHAIR)

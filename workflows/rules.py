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


def is_conflicted(user: Any, application: Application) -> bool:
    """A board tie to the applying association makes a member conflicted (fvl. § 3)."""
    return application.association_id in profile(user).board_of


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


def council_chair(flow: Any, user: Any) -> str:
    if is_conflicted(user, flow.application):
        return ""
    return Role.COUNCIL_CHAIR if staff_role(user, flow.application, Role.COUNCIL_CHAIR) else ""


def committee_chair(flow: Any, user: Any) -> str:
    if is_conflicted(user, flow.application):
        return ""
    return Role.COMMITTEE_CHAIR if staff_role(user, flow.application, Role.COMMITTEE_CHAIR) else ""

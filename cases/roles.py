"""Who is who: a user's roles per municipality and the associations they act for.

Loaded once per request (one query) and cached on the user object; every screen,
the API, the flows and the domain's own permission rules ask here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Value
from django.utils.translation import gettext as _

from cases.compiled import Compiled
from cases.models import AssociationMember, Role, StaffRole

if TYPE_CHECKING:
    from cases.models import Application

# The role an association's own user acts in (not a staff role: it is a tie to an association).
APPLICANT = "applicant"
# Puljeflow itself, acting from beat (e.g. ending a hearing whose deadline has passed).
SYSTEM = "system"


@dataclass
class ActorProfile:
    """What one user is, loaded once per request (one query) and cached on the user."""

    roles: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    represents: set[int] = field(default_factory=set)
    board_of: set[int] = field(default_factory=set)
    # Every association the user represents, before narrowing to the one chosen for the
    # session (accounts/nemlogin/acting.py); ``represents`` is what the user acts for now.
    all_represents: set[int] = field(default_factory=set)

    def has_role(self, municipality_id: int, *roles: str) -> bool:
        return bool(self.roles.get(municipality_id, set()) & set(roles))

    @property
    def municipality_ids(self) -> set[int]:
        return {m for m, roles in self.roles.items() if roles}

    @property
    def is_staff_anywhere(self) -> bool:
        return bool(self.municipality_ids)


def _ties(user: int) -> Any:
    """The user's staff roles (0, municipality, role) and ties to associations (1,
    association, represents, board member): one UNION ALL, read on every request."""
    roles = (
        StaffRole.objects.filter(user_id=user)
        .annotate(tie=Value(0), no_represents=Value(False), no_board=Value(False))
        .values_list("tie", "municipality_id", "role", "no_represents", "no_board")
    )
    ties = (
        AssociationMember.objects.filter(user_id=user)
        .annotate(tie=Value(1), no_role=Value(""))
        .values_list("tie", "association_id", "no_role", "can_represent", "is_board_member")
    )
    return roles.union(ties, all=True)


TIES = Compiled(_ties, "user")


def profile(user: Any) -> ActorProfile:
    cached = getattr(user, "_puljeflow_profile", None)
    if cached is not None:
        return cached
    result = ActorProfile()
    if user is not None and user.is_authenticated and user.is_active:
        for is_tie, pk, role, represents, board in TIES.rows(user=user.pk):
            if not is_tie:
                result.roles[pk].add(role)
                continue
            if represents:
                result.represents.add(pk)
            if board:
                result.board_of.add(pk)
        result.all_represents = set(result.represents)
        _narrow_to_chosen(result, getattr(user, "_puljeflow_acting_for", None))
    user._puljeflow_profile = result
    return result


def _narrow_to_chosen(result: ActorProfile, chosen: int | None) -> None:
    """A person acting for several associations acts for the one chosen in the session only
    (nothing if that tie is gone). Staff are never narrowed: a council member's ties to
    associations all count when conflicts are shown."""
    if chosen is None or result.is_staff_anywhere:
        return
    result.represents = result.represents & {chosen}


def forget_profile(user: Any) -> None:
    if hasattr(user, "_puljeflow_profile"):
        del user._puljeflow_profile


def represents(user: Any, application: Application) -> bool:
    return application.association_id in profile(user).represents


def staff_role(user: Any, application: Application, role: str) -> bool:
    return profile(user).has_role(application.municipality_id, role)


def role_label(role: str) -> str:
    """A stored role identifier as a person reads it."""
    if role == APPLICANT:
        return _("Applicant")
    if role == SYSTEM:
        return _("Puljeflow (automatically)")
    try:
        return str(Role(role).label)
    except ValueError:
        return role

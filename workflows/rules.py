"""Who may act on an application, and in which role.

A rule takes (flow, user) and returns the name of the role the user acts in, or ""
when they may not; ``flow.case`` is the application, whichever the flow — but for a
request for access to documents, which covers many cases (``access_request_handler``).
viewflow.fsm accepts these as ``permission=`` callables (a non-empty string is
truthy) but does not call them itself: the engine does, before every transition,
and records the role on the transition record.

Nobody acts on a case they are disqualified in (forvaltningsloven § 3): a staff rule
asks ``is_conflicted`` after the role, and keeps the role check alone as
``rule.before_disqualification`` so that the engine can say why (``refusal``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cases.disqualification import disqualified_message
from cases.models import Role
from cases.permissions import is_conflicted, may_handle_access_requests
from cases.roles import APPLICANT, represents, staff_role

Rule = Callable[[Any, Any], str]


def applicant(flow: Any, user: Any) -> str:
    return APPLICANT if represents(user, flow.case) else ""


def unless_disqualified(check: Rule) -> Rule:
    """``check``, refused to a staff member disqualified in the case (fvl. § 3)."""

    def rule(flow: Any, user: Any) -> str:
        role = check(flow, user)
        # The role check is free (cached profile); the conflict check costs queries (one
        # per case, cached on it; a list annotates them), so it comes last.
        if role and role != APPLICANT and is_conflicted(user, flow.case):
            return ""
        return role

    rule.before_disqualification = check  # type: ignore[attr-defined]
    rule.__name__ = check.__name__
    rule.__doc__ = check.__doc__
    return rule


def refusal(rule: Any, flow: Any, user: Any) -> str:
    """Why ``rule`` refused ``user`` when it was disqualification ("" otherwise)."""
    check = getattr(rule, "before_disqualification", None)
    role = check(flow, user) if check is not None else ""
    return disqualified_message(role) if role else ""


@unless_disqualified
def applicant_or_paper_case_officer(flow: Any, user: Any) -> str:
    """The association acts itself; on a paper application the case officer types it in."""
    if represents(user, flow.case):
        return APPLICANT
    if flow.case.is_paper and staff_role(user, flow.case, Role.CASE_OFFICER):
        return Role.CASE_OFFICER
    return ""


def _case_officer(flow: Any, user: Any) -> str:
    return Role.CASE_OFFICER if staff_role(user, flow.case, Role.CASE_OFFICER) else ""


case_officer = unless_disqualified(_case_officer)


@unless_disqualified
def council_chair(flow: Any, user: Any) -> str:
    return Role.COUNCIL_CHAIR if staff_role(user, flow.case, Role.COUNCIL_CHAIR) else ""


@unless_disqualified
def committee_chair(flow: Any, user: Any) -> str:
    return Role.COMMITTEE_CHAIR if staff_role(user, flow.case, Role.COMMITTEE_CHAIR) else ""


@unless_disqualified
def report_case_officer(flow: Any, user: Any) -> str:
    """Reviews a usage report: the case officer of its application."""
    return _case_officer(flow, user)


def access_request_handler(flow: Any, user: Any) -> str:
    """Handles a request for access to documents: a case officer of its municipality
    (``cases.permissions.may_handle_access_requests``, as the screens and the API ask)."""
    municipality_id = flow.subject.municipality_id
    return Role.CASE_OFFICER if may_handle_access_requests(user, municipality_id) else ""

"""Who may act on an application, and in which role.

A rule takes (flow, user) and returns the name of the role the user acts in, or ""
when they may not; ``flow.case`` is the application, whichever the flow.
viewflow.fsm accepts these as ``permission=`` callables (a non-empty string is
truthy) but does not call them itself: the engine does, before every transition,
and records the role on the transition record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cases.models import Role
from cases.permissions import is_conflicted
from cases.roles import APPLICANT, represents, staff_role

Rule = Callable[[Any, Any], str]


def applicant(flow: Any, user: Any) -> str:
    return APPLICANT if represents(user, flow.case) else ""


def applicant_or_paper_case_officer(flow: Any, user: Any) -> str:
    """The association acts itself; on a paper application the case officer types it in."""
    if represents(user, flow.case):
        return APPLICANT
    if flow.case.is_paper and staff_role(user, flow.case, Role.CASE_OFFICER):
        return Role.CASE_OFFICER
    return ""


def case_officer(flow: Any, user: Any) -> str:
    return Role.CASE_OFFICER if staff_role(user, flow.case, Role.CASE_OFFICER) else ""


def quick_pool_case_officer(flow: Any, user: Any) -> str:
    """In a quick pool (akutpulje) the case officer decides; elsewhere nobody takes this path."""
    if not flow.case.round.decided_by_administration:
        return ""
    return case_officer(flow, user)


def _chair(flow: Any, user: Any, role: str) -> str:
    # The role check is free (cached profile); the conflict check costs queries, so it comes last.
    if not staff_role(user, flow.case, role) or is_conflicted(user, flow.case):
        return ""
    return role


def council_chair(flow: Any, user: Any) -> str:
    return _chair(flow, user, Role.COUNCIL_CHAIR)


def committee_chair(flow: Any, user: Any) -> str:
    return _chair(flow, user, Role.COMMITTEE_CHAIR)


def report_case_officer(flow: Any, user: Any) -> str:
    """Reviews a usage report: the case officer of its application."""
    return case_officer(flow, user)

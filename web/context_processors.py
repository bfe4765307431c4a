from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from accounts import sessions
from cases.models import Role
from cases.permissions import may_read_access_requests
from cases.roles import profile


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    who = profile(user)
    return {
        "nav_is_staff": who.is_staff_anywhere,
        "nav_is_applicant": bool(who.represents),
        "nav_access_requests": any(may_read_access_requests(user, m) for m in who.municipality_ids),
        "nav_is_manager": any(Role.MANAGER in roles for roles in who.roles.values()),
        # For the warning before the session ends (templates/base.html, static/js/session.js):
        # what is left now, and how long before the end to warn (a minute; less under a
        # limit so short that a minute's warning would come at once).
        "session_seconds_left": sessions.seconds_left(request.session),
        "session_warn_seconds": min(60, settings.PULJEFLOW_SESSION_IDLE_SECONDS // 3),
    }

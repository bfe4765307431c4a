"""Which association a person acts for in this session, when they represent several.

The choice lives in the session (``ACTING_FOR``); the middleware hands it to the user
object, and ``cases.roles.profile`` narrows ``represents`` to it (for a person with no
staff role: a council member's ties to associations must all count for conflicts).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

from cases import roles

ACTING_FOR = "puljeflow_acting_for"


def choose(session: SessionBase, user: Any, association_id: int) -> bool:
    """Act for this association from now on; False if the user does not represent it."""
    if association_id not in roles.profile(user).all_represents:
        return False
    session[ACTING_FOR] = association_id
    user._puljeflow_acting_for = association_id
    roles.forget_profile(user)
    return True


def acting_for(session: SessionBase) -> int | None:
    value = session.get(ACTING_FOR)
    return value if isinstance(value, int) else None


class ActingForMiddleware:
    """After AuthenticationMiddleware: tell the user object the session's choice, so that
    ``roles.profile`` (and every screen, service and rule that asks it) acts for that one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = acting_for(request.session)
        if chosen is not None and request.user.is_authenticated:
            request.user._puljeflow_acting_for = chosen  # type: ignore[attr-defined]
        return self.get_response(request)

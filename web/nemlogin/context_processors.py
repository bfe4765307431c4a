from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.nemlogin import acting, config
from cases import roles
from cases.models import Association
from web.nemlogin.views import SIGNED_IN


def nemlogin(request: HttpRequest) -> dict[str, Any]:
    """The login page's »Log ind med MitID Erhverv« button; in the header, the association
    acted for (and a way to change it) when the person represents several."""
    result: dict[str, Any] = {"nemlogin_enabled": config.enabled()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return result
    session = getattr(request, "session", None)
    result["nemlogin_session"] = bool(session is not None and session.get(SIGNED_IN))
    chosen = acting.acting_for(session) if session is not None else None
    who = roles.profile(user)
    if chosen is not None and chosen in who.represents:
        result["acting_association"] = Association.objects.filter(pk=chosen).first()
        result["acting_can_change"] = len(who.all_represents) > 1
    return result

"""Session lifetime: an index of each user's sessions, idle and absolute timeouts.

Django gives every login a new session key (``login()`` cycles it) and logout flushes
the session. On top of that: a user made inactive loses every session at once, and a
session ends after ``PULJEFLOW_SESSION_IDLE_SECONDS`` without a request or
``PULJEFLOW_SESSION_MAX_SECONDS`` after login, whatever happens in between.
"""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from .models import UserSession

LOGIN_AT = "puljeflow_login_at"
SEEN_AT = "puljeflow_seen_at"
# The last-seen stamp is rewritten at most this often, so that an ordinary page view
# does not save the session row each time.
SEEN_RESOLUTION_SECONDS = 60


def now() -> float:
    return time.time()


def stamp_login(session: SessionBase, user: Any) -> None:
    moment = int(now())
    session[LOGIN_AT] = moment
    session[SEEN_AT] = moment
    if session.session_key:
        UserSession.objects.get_or_create(
            session_key=session.session_key, defaults={"user_id": user.pk}
        )


def forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_all_sessions(user_id: int) -> int:
    """Delete every session of this user (deactivation); returns how many ended."""
    keys = list(UserSession.objects.filter(user_id=user_id).values_list("session_key", flat=True))
    if not keys:
        return 0
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    store = store_class()
    for key in keys:
        store.delete(key)
    UserSession.objects.filter(user_id=user_id).delete()
    return len(keys)


def _resolution() -> int:
    """How often the idle stamp is rewritten: once a minute, or more often under a short
    idle limit (a tenth of it), so that activity always counts well before the limit."""
    return max(1, min(SEEN_RESOLUTION_SECONDS, settings.PULJEFLOW_SESSION_IDLE_SECONDS // 10))


def touch(session: SessionBase) -> None:
    """Count this moment as activity ("Stay logged in"): the idle limit starts again."""
    session[SEEN_AT] = int(now())


def seconds_left(session: SessionBase) -> int:
    """Seconds until this session ends if nothing happens: the idle limit counted from the
    last stamp, or the absolute limit if that comes first. The page's warning (static/js/
    session.js) counts down from this, so it warns before the server ends the session."""
    moment = int(now())  # whole seconds, as the stamps are
    idle_left = settings.PULJEFLOW_SESSION_IDLE_SECONDS - (moment - session.get(SEEN_AT, moment))
    max_left = settings.PULJEFLOW_SESSION_MAX_SECONDS - (moment - session.get(LOGIN_AT, moment))
    return max(0, int(min(idle_left, max_left)))


def expired(session: SessionBase) -> bool:
    """Has this session passed its idle or absolute limit? Refreshes the idle stamp."""
    moment = now()
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        # A session from before these stamps existed: start counting now.
        session[LOGIN_AT] = session.get(LOGIN_AT, int(moment))
        session[SEEN_AT] = int(moment)
        return False
    if moment - login_at > settings.PULJEFLOW_SESSION_MAX_SECONDS:
        return True
    if moment - seen_at > settings.PULJEFLOW_SESSION_IDLE_SECONDS:
        return True
    if moment - seen_at >= _resolution():
        session[SEEN_AT] = int(moment)
    return False

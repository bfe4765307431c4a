"""The authentication backend for NemLog-in: the ACS view (web/nemlogin/views.py) has
checked the assertion's signature, lifetime, audience, level of assurance and CVR before
``authenticate`` is called with pysaml2's ``session_info``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .attributes import person_from
from .identities import user_for


class NemLoginBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        session_info: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if session_info is None:
            return None  # a password sign-in: not ours
        person = person_from(session_info)
        if not person.subject or not person.persistent:
            return None
        user = user_for(person)
        return user if self.user_can_authenticate(user) else None

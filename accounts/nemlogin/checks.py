"""The refusals NemLog-in's answer gets beyond pysaml2's own (signature, lifetime, audience,
unsolicited responses): a persistent identifier, a CVR number, the level of assurance, and
an assertion used once only."""

from __future__ import annotations

import calendar
import re
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from saml2.time_util import str_to_time

from .attributes import NemLoginPerson, level_rank
from .refusals import NemLoginRefused

_SEEN = "puljeflow:nemlogin:assertion:"


def check_person(person: NemLoginPerson) -> None:
    if not person.subject or not person.persistent:
        raise NemLoginRefused("no_identity")
    if not re.fullmatch(r"\d{8}", person.cvr):
        raise NemLoginRefused("missing_cvr")
    required = settings.PULJEFLOW_NEMLOGIN_LOA
    if level_rank(person.loa) < level_rank(required):
        raise NemLoginRefused("loa", required=required)


def _seconds_until(not_on_or_after: Any) -> int:
    """How long the assertion could still be presented (a day if it does not say)."""
    try:
        moment = calendar.timegm(str_to_time(not_on_or_after))
    except (TypeError, ValueError):
        return 24 * 3600
    left = moment - time.time()
    return max(60, int(left) + settings.PULJEFLOW_NEMLOGIN_CLOCK_SKEW_SECONDS)


def use_once(assertion_info: dict[str, Any] | None) -> None:
    """Refuse an assertion seen before. pysaml2 already refuses a response to a request this
    browser did not make (or made and had answered); this store (the cache: Redis shared by
    every server in production) also refuses one replayed into a session that asks anew."""
    assertion_id = (assertion_info or {}).get("assertion_id")
    if not assertion_id:
        raise NemLoginRefused("invalid")
    timeout = _seconds_until((assertion_info or {}).get("not_on_or_after"))
    if not cache.add(f"{_SEEN}{assertion_id}", 1, timeout=timeout):
        raise NemLoginRefused("replayed")

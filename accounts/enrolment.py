"""The first second factor needs more than the password: a code sent by e-mail.

Without this, whoever first signed in with a staff member's password (guessed, phished,
or the initial one an administrator handed out) could enrol their own authenticator app,
and the second factor would protect nothing. Setting up the first app therefore also
needs a one-time enrolment code, sent to the e-mail address the municipality registered
for the user when the setup page is opened:

- eight letters and digits (about 10^12 possibilities), valid 15 minutes, for this
  session only, and used once: it is gone when the app is set up, when a new one is
  sent, and after five wrong tries;
- only its keyed hash is kept, in the server-side session, never in clear in the
  database (which is why it is sent directly, not through the notification outbox,
  whose rows keep their text: it is needed now, by the person waiting on the page);
- a new code can be asked for after a minute; each sending and each wrong code is
  logged on ``puljeflow.security``.

Simpler than an invitation an administrator must create for every new staff member, and
as sound as the mailbox, which is where the municipality reaches its staff anyway. A
user without an e-mail address asks an administrator to register one. A second app is
added only after signing in with the first (``web.accounts.views.otp_setup``).
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.core.mail import send_mail
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from .refusals import log_event

SESSION_KEY = "puljeflow_enrolment_code"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read from a mail, typed
LENGTH = 8
LIFETIME_SECONDS = 15 * 60
RESEND_AFTER_SECONDS = 60
MAX_TRIES = 5

logger = logging.getLogger("puljeflow.security")


def _digest(user: Any, code: str) -> str:
    return salted_hmac("puljeflow.enrolment", f"{user.pk}:{code}").hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _now() -> float:
    return time.time()


def pending(session: SessionBase) -> dict[str, Any] | None:
    """The code sent in this session, while it can still be used."""
    state = session.get(SESSION_KEY)
    if not state or state["tries"] >= MAX_TRIES or _now() > state["expires"]:
        return None
    return dict(state)


def may_send(session: SessionBase) -> bool:
    state = session.get(SESSION_KEY)
    return not state or _now() - state["sent"] >= RESEND_AFTER_SECONDS or pending(session) is None


def send_code(request: HttpRequest, user: Any) -> bool:
    """E-mail a new code to the user (replacing any earlier one); False if none went out."""
    if not user.email:
        return False
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    shown = f"{code[:4]}-{code[4:]}"
    try:
        send_mail(
            _("Your code for setting up two-factor login"),
            _(
                "Your code for setting up two-factor login in Puljeflow is %(code)s.\n\n"
                "It is valid for 15 minutes. If you did not just log in, someone else knows "
                "your password: tell your municipality's administrator."
            )
            % {"code": shown},
            None,
            [user.email],
        )
    except Exception:  # SMTP down or refusing: the page says so, the log has the cause
        logger.exception("the enrolment code could not be sent to user %s", user.pk)
        return False
    moment = _now()
    request.session[SESSION_KEY] = {
        "digest": _digest(user, code),
        "sent": moment,
        "expires": moment + LIFETIME_SECONDS,
        "tries": 0,
    }
    log_event("enrolment_code_sent", request)
    return True


def check(request: HttpRequest, user: Any, code: str) -> bool:
    """Is ``code`` the live code of this session? A wrong one uses up a try."""
    state = pending(request.session)
    if state is None:
        return False
    if constant_time_compare(state["digest"], _digest(user, normalise(code))):
        return True
    state["tries"] += 1
    request.session[SESSION_KEY] = state
    log_event("otp_failed", request, stage="enrolment_code")
    return False


def consume(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)

"""Why a NemLog-in sign-in was refused, in words for the person, and in the security log.

Each refusal is one code (logged on ``puljeflow.security`` as ``refused_nemlogin
reason=<code>``, as accounts/refusals.py logs the others) and one message shown on the
refusal page. pysaml2's exceptions are mapped to codes here, so that the view stays thin.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from saml2.response import (
    IncorrectlySigned,
    SignatureError,
    StatusError,
    UnsolicitedResponse,
)
from saml2.validate import ResponseLifetimeExceed, ToEarly

from accounts.refusals import log_event

MESSAGES = {
    "signature": _(
        "The answer from NemLog-in could not be verified (its signature is not right), so "
        "you have not been logged in. Try again; if it keeps happening, contact the "
        "municipality."
    ),
    "expired": _(
        "The answer from NemLog-in has expired. Log in again; it takes a moment, and you "
        "can then go on."
    ),
    "replayed": _(
        "This answer from NemLog-in has already been used or was not asked for by this "
        "browser. Log in again from the start."
    ),
    "audience": _(
        "The answer from NemLog-in was meant for another service, so you have not been "
        "logged in here. Log in again from Puljeflow's login page."
    ),
    "missing_cvr": _(
        "NemLog-in did not tell us which organisation you act for (no CVR number). Log in "
        "with MitID Erhverv as an employee of your association."
    ),
    "loa": _(
        "You logged in with a lower level of assurance than Puljeflow requires "
        "(%(required)s). Log in again with MitID at that level or higher."
    ),
    "no_identity": _(
        "NemLog-in did not give a persistent identifier for you, or your account here is "
        "closed. Contact the municipality."
    ),
    "cancelled": _("The login at NemLog-in was cancelled or refused. You can try again."),
    "invalid": _(
        "The answer from NemLog-in could not be read, so you have not been logged in. Try again."
    ),
}


class NemLoginRefused(PermissionDenied):
    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])


def code_for(exception: BaseException | None) -> str:
    """The refusal code for what djangosaml2's ACS caught while parsing the response."""
    if isinstance(exception, NemLoginRefused):
        return exception.code
    if isinstance(exception, (SignatureError, IncorrectlySigned)):
        return "signature"
    if isinstance(exception, (ResponseLifetimeExceed, ToEarly)):
        return "expired"
    if isinstance(exception, UnsolicitedResponse):
        return "replayed"
    if isinstance(exception, StatusError):
        return "cancelled"
    text = str(exception or "")
    # pysaml2 raises a bare Exception for a wrong AudienceRestriction (response.py:
    # "... not in audience restriction ..."), and for an expired SubjectConfirmation.
    if "audience" in text.lower():
        return "audience"
    if "not valid anymore" in text.lower() or "not on or after" in text.lower():
        return "expired"
    return "invalid"


def refuse(request: HttpRequest, code: str) -> None:
    log_event("refused_nemlogin", request, reason=code)

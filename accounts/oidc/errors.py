"""Why a sign-in through the identity provider was refused, in words for the person."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# reason -> (title, what to do), shown on the refusal page; the reason itself goes to the
# security log, never to the page.
MESSAGES = {
    "no_account": (
        _("You have no account in Puljeflow"),
        _(
            "The municipality's login knows you, but no active staff user in "
            "Puljeflow matches you. Ask the administrator of Puljeflow to create your user "
            "with your work e-mail address and give it the roles you need."
        ),
    ),
    "inactive": (
        _("Your user in Puljeflow is not active"),
        _("Ask the administrator of Puljeflow to make your user active again."),
    ),
    "ambiguous": (
        _("Your user in Puljeflow cannot be found with certainty"),
        _(
            "More than one user in Puljeflow matches you. Ask the administrator of "
            "Puljeflow to correct the users."
        ),
    ),
    "linked_elsewhere": (
        _("Your user is tied to another login"),
        _(
            "Your user in Puljeflow is already tied to another account at the "
            "municipality's login. Ask the administrator of Puljeflow to check it."
        ),
    ),
    "unavailable": (
        _("The municipality's login cannot be reached"),
        _("Try again in a few minutes, or log in with your username and password."),
    ),
}
DEFAULT = (
    _("The login could not be completed"),
    _(
        "The answer from the municipality's login could not be accepted, so you have not "
        "been logged in. Start again from the login page. If it happens again, tell the "
        "administrator of Puljeflow the time it happened."
    ),
)


class OidcRefused(Exception):
    """A refused sign-in: ``reason`` is a fixed word for the log (``bad_signature``,
    ``expired``, ``wrong_audience``, ``no_account`` ...), ``detail`` more for the log."""

    def __init__(self, reason: str, *, detail: str = "", status: int = 403) -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.status = 503 if reason == "unavailable" else status

    @property
    def title(self) -> str:
        return str(MESSAGES.get(self.reason, DEFAULT)[0])

    @property
    def advice(self) -> str:
        return str(MESSAGES.get(self.reason, DEFAULT)[1])

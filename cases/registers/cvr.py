"""The association's name and address from the CVR register, behind one function.

``lookup(cvr)`` is all the rest of Puljeflow calls. Which adapter answers is a setting
(``PULJEFLOW_CVR_ADAPTER``): the embedded default and the tests answer from a local fake.

Contract (issue 18; the CVR part builds the adapters behind it, keeping these names):
- ``lookup(cvr) -> CvrCompany``;
- ``CvrNotFound`` when the register has no such company;
- ``CvrUnavailable`` when the register cannot be asked (down, refused, malformed answer).
Both carry a message for the person at the screen, who can then type the details in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CvrCompany:
    cvr: str
    name: str
    address: str
    postal_code: str
    city: str


class CvrError(Exception):
    message = _("The CVR register could not be asked.")

    def __str__(self) -> str:
        return str(self.message)


class CvrNotFound(CvrError):
    message = _(
        "The CVR register has no company with this number. Check it, or type the details in."
    )


class CvrUnavailable(CvrError):
    message = _(
        "The CVR register does not answer right now. Type the details in, or try again later."
    )


# A first fake, until the CVR part's adapters land: a few companies, no network.
_FAKE = {
    "12345678": CvrCompany(
        "12345678", "Frivilligcentret Eksempelby", "Torvet 1", "4700", "Næstved"
    ),
}


def lookup(cvr: str) -> CvrCompany:
    company = _FAKE.get(cvr)
    if company is None:
        raise CvrNotFound
    return company

"""The association's name and address from the CVR register, behind one function.

``lookup(cvr)`` is all the rest of Puljeflow calls. Which adapter answers is a setting
(``PULJEFLOW_CVR_ADAPTER``): ``fake`` (the embedded default: cvr_fake.py, a data file) or
``http`` (cvr_http.py, the public CVR data service). Both answer the same Elasticsearch
request with the same JSON, read by cvr_search.py.

Contract (issue 18; the CVR part builds the adapters behind it, keeping these names):
- ``lookup(cvr) -> CvrCompany``;
- ``CvrNotFound`` when the register has no such company;
- ``CvrUnavailable`` when the register cannot be asked (down, refused, malformed answer).
Both carry a message for the person at the screen, who can then type the details in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
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


def lookup(cvr: str) -> CvrCompany:
    """The company with this CVR number, from the register the settings name."""
    # Imported here: the adapters import the errors above.
    from cases.registers import cvr_fake, cvr_http
    from cases.registers.cvr_search import parse_answer, search_body

    if not (len(cvr) == 8 and cvr.isascii() and cvr.isdigit()):
        raise CvrNotFound
    search = cvr_http.search if settings.PULJEFLOW_CVR_ADAPTER == "http" else cvr_fake.search
    return parse_answer(cvr, search(search_body(cvr)))

"""What NemLog-in says about the person, read from the assertion (OIOSAML 3.0).

The attribute names are those of the OIOSAML 3.0 profile for NemLog-in (Digitaliserings-
styrelsen, "OIOSAML Web SSO Profile 3.0.3" and its attribute profile; the same URIs are
listed in the NemLog-in guides of FoxIDs (docs/auth-method-howto-saml-2.0-nemlogin-
oiosaml3-std.md) and in KvalitetsIT's OioSaml3Attributes constants). Each is sent with
``NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri"``.

The CPR number (``…/eid/cprNumber``) is never requested, read or stored: a professional
identity is known by its persistent identifier (the NameID, persistent format).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saml2.saml import NAMEID_FORMAT_PERSISTENT

SPEC_VERSION = "https://data.gov.dk/model/core/specVersion"
LOA = "https://data.gov.dk/concept/core/nsis/loa"
CVR = "https://data.gov.dk/model/core/eid/professional/cvr"
ORGANISATION_NAME = "https://data.gov.dk/model/core/eid/professional/orgName"
PROFESSIONAL_UUID = "https://data.gov.dk/model/core/eid/professional/uuid/persistent"
FULL_NAME = "https://data.gov.dk/model/core/eid/fullName"
FIRST_NAME = "https://data.gov.dk/model/core/eid/firstName"
LAST_NAME = "https://data.gov.dk/model/core/eid/lastName"
EMAIL = "https://data.gov.dk/model/core/eid/email"
# Named only so that it can be kept out: never requested, dropped on arrival.
CPR_NUMBER = "https://data.gov.dk/model/core/eid/cprNumber"

# What the service provider's metadata asks for (all optional in the metadata: the checks
# below decide, so that a missing one is refused with our own words, not the IdP's).
REQUESTED = [SPEC_VERSION, LOA, CVR, ORGANISATION_NAME, PROFESSIONAL_UUID, FULL_NAME, EMAIL]

# The NSIS levels of assurance, lowest first; requested as AuthnContextClassRef LOA_CONTEXT + level.
LEVELS = ("Low", "Substantial", "High")
LOA_CONTEXT = "https://data.gov.dk/concept/core/nsis/loa/"
SPEC_VERSION_VALUE = "OIO-SAML-3.0"


def level_rank(level: str) -> int:
    """Low 0, Substantial 1, High 2; anything else -1 (below every level)."""
    try:
        return LEVELS.index(level)
    except ValueError:
        return -1


@dataclass(frozen=True)
class NemLoginPerson:
    """The assertion's facts that Puljeflow uses; nothing else is kept."""

    issuer: str
    subject: str
    subject_format: str
    cvr: str
    name: str
    email: str
    loa: str
    organisation_name: str

    @property
    def persistent(self) -> bool:
        return self.subject_format == NAMEID_FORMAT_PERSISTENT


def _first(ava: dict[str, list[Any]], name: str) -> str:
    values = ava.get(name) or []
    return str(values[0]).strip() if values else ""


def person_from(session_info: dict[str, Any]) -> NemLoginPerson:
    """Read pysaml2's ``session_info`` (its ``ava``: attribute name → values)."""
    ava = session_info.get("ava") or {}
    name_id = session_info.get("name_id")
    name = _first(ava, FULL_NAME) or " ".join(
        part for part in (_first(ava, FIRST_NAME), _first(ava, LAST_NAME)) if part
    )
    return NemLoginPerson(
        issuer=str(session_info.get("issuer") or ""),
        subject=str(getattr(name_id, "text", "") or "").strip(),
        subject_format=str(getattr(name_id, "format", "") or ""),
        cvr=_first(ava, CVR),
        name=name,
        email=_first(ava, EMAIL),
        loa=_first(ava, LOA),
        organisation_name=_first(ava, ORGANISATION_NAME),
    )

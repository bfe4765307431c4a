"""The CVR register's question and answer, as the public CVR data service shapes them.

Erhvervsstyrelsen's »System-til-system adgang til CVR-data« is an Elasticsearch index:
``POST <base>/cvr-permanent/virksomhed/_search`` with HTTP basic auth and a query body; a
company is a hit whose ``_source.Vrvirksomhed`` holds ``cvrNummer`` (a number) and
``virksomhedMetadata`` with the newest name (``nyesteNavn.navn``) and the newest address
(``nyesteBeliggenhedsadresse``: ``vejnavn``, ``husnummerFra``, ``bogstavFra``, ``etage``,
``sidedoer``, ``postnummer``, ``postdistrikt``, ``bynavn``, ``coNavn``, ``fritekst``).
Sources: the service's description at datahub.virk.dk/dataset/system-til-system-adgang-til-cvr-data
and the field reference at brokk-sindre.github.io/cvr-documentation/api-reference/field-reference.
Both the HTTP adapter and the local fake go through ``search_body`` and ``parse_answer``, so
the fake tests the same code the real service meets.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.registers.cvr import CvrCompany, CvrNotFound, CvrUnavailable

#: The parts of the document we read; the service sends nothing else back.
SOURCE_FIELDS = [
    "Vrvirksomhed.cvrNummer",
    "Vrvirksomhed.virksomhedMetadata.nyesteNavn",
    "Vrvirksomhed.virksomhedMetadata.nyesteBeliggenhedsadresse",
]


def search_body(cvr: str) -> dict[str, Any]:
    """The query for one company: a term query on the CVR number (stored as a number)."""
    return {
        "_source": SOURCE_FIELDS,
        "query": {"term": {"Vrvirksomhed.cvrNummer": int(cvr)}},
        "size": 1,
    }


class MalformedAnswer(CvrUnavailable):
    """The register answered, but not in the shape we know: a changed interface or a proxy."""

    message = _(
        "The CVR register's answer could not be read. Type the details in, or try again later."
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise MalformedAnswer
    return str(value).strip()


def street_address(address: dict[str, Any]) -> str:
    """»Vej 12B, 2. tv« (c/o first when there is one), or the free text when there is no road."""
    road = _text(address.get("vejnavn"))
    if not road:
        line = _text(address.get("fritekst"))
    else:
        number = _text(address.get("husnummerFra")) + _text(address.get("bogstavFra"))
        line = f"{road} {number}".strip()
        floor, door = _text(address.get("etage")), _text(address.get("sidedoer"))
        unit = " ".join(part for part in (f"{floor}." if floor else "", door) if part)
        if unit:
            line = f"{line}, {unit}"
    care_of = _text(address.get("coNavn"))
    return f"c/o {care_of}, {line}" if care_of else line


def city_name(address: dict[str, Any]) -> str:
    """The post district (»Roskilde«); the town name only when the district is missing."""
    return _text(address.get("postdistrikt")) or _text(address.get("bynavn"))


def parse_answer(cvr: str, answer: Any) -> CvrCompany:
    """The company in an Elasticsearch answer; CvrNotFound for no hit, MalformedAnswer otherwise."""
    try:
        hits = answer["hits"]["hits"]
        if not isinstance(hits, list):
            raise MalformedAnswer
        if not hits:
            raise CvrNotFound
        company = hits[0]["_source"]["Vrvirksomhed"]
        if _text(company["cvrNummer"]) != cvr:
            raise MalformedAnswer  # an answer about another company is no answer
        meta = company["virksomhedMetadata"]
        name = _text((meta.get("nyesteNavn") or {}).get("navn"))
        address = meta.get("nyesteBeliggenhedsadresse") or {}
        if not isinstance(address, dict):
            raise MalformedAnswer
        postal_code = _text(address.get("postnummer"))
    except (KeyError, TypeError, AttributeError) as error:
        raise MalformedAnswer from error
    if not name:
        raise MalformedAnswer
    return CvrCompany(
        cvr=cvr,
        name=name,
        address=street_address(address),
        postal_code=postal_code.zfill(4) if postal_code else "",
        city=city_name(address),
    )

"""The CVR register behind cases.registers.cvr.lookup: the answer read element by element,
the local fake, and the HTTP adapter against a real (local) HTTP service, failing every way."""

from __future__ import annotations

import copy
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils.translation import override

from cases.registers import cvr_fake
from cases.registers.cvr import CvrCompany, CvrNotFound, CvrUnavailable, lookup
from cases.registers.cvr_http import CvrRefused, CvrServiceError, CvrTimeout, CvrUnreachable
from cases.registers.cvr_search import MalformedAnswer, parse_answer, search_body
from tests.fakes.cvr_service import FakeCvrServer, running

MISSING = "39990008"  # a valid CVR number the fake does not know


def answer(address: dict[str, Any], *, name: str = "Forening", cvr: int = 29990018) -> Any:
    doc = {
        "Vrvirksomhed": {
            "cvrNummer": cvr,
            "virksomhedMetadata": {
                "nyesteNavn": {"navn": name},
                "nyesteBeliggenhedsadresse": address,
            },
        }
    }
    return {"hits": {"total": 1, "hits": [{"_source": doc}]}}


def test_the_query_is_a_term_query_on_the_cvr_number_as_a_number() -> None:
    body = search_body("29990018")
    assert body["query"] == {"term": {"Vrvirksomhed.cvrNummer": 29990018}}
    assert body["size"] == 1
    assert "Vrvirksomhed.virksomhedMetadata.nyesteNavn" in body["_source"]
    assert "Vrvirksomhed.virksomhedMetadata.nyesteBeliggenhedsadresse" in body["_source"]


@pytest.mark.parametrize(
    ("address", "street", "postal_code", "city"),
    [
        (
            {
                "vejnavn": "Algade",
                "husnummerFra": 1,
                "postnummer": 4000,
                "postdistrikt": "Roskilde",
            },
            "Algade 1",
            "4000",
            "Roskilde",
        ),
        # the house letter joins the number
        (
            {
                "vejnavn": "Bygade",
                "husnummerFra": 12,
                "bogstavFra": "B",
                "postnummer": 4000,
                "postdistrikt": "Roskilde",
            },
            "Bygade 12B",
            "4000",
            "Roskilde",
        ),
        # floor and door after a comma, the Danish way: »2. tv«
        (
            {
                "vejnavn": "Allé",
                "husnummerFra": 7,
                "etage": "2",
                "sidedoer": "tv",
                "postnummer": 4000,
                "postdistrikt": "Roskilde",
            },
            "Allé 7, 2. tv",
            "4000",
            "Roskilde",
        ),
        (
            {
                "vejnavn": "Allé",
                "husnummerFra": 7,
                "etage": "st",
                "postnummer": 4000,
                "postdistrikt": "Roskilde",
            },
            "Allé 7, st.",
            "4000",
            "Roskilde",
        ),
        # c/o first
        (
            {
                "vejnavn": "Hovedgaden",
                "husnummerFra": 45,
                "coNavn": "Sognegården",
                "postnummer": 2640,
                "postdistrikt": "Hedehusene",
            },
            "c/o Sognegården, Hovedgaden 45",
            "2640",
            "Hedehusene",
        ),
        # a postal code below 1000 keeps its leading zero
        (
            {
                "vejnavn": "Vej",
                "husnummerFra": 3,
                "postnummer": 800,
                "postdistrikt": "Høje Taastrup",
            },
            "Vej 3",
            "0800",
            "Høje Taastrup",
        ),
        # no post district: the town name
        (
            {
                "vejnavn": "Vej",
                "husnummerFra": 3,
                "postnummer": 4000,
                "postdistrikt": None,
                "bynavn": "Himmelev",
            },
            "Vej 3",
            "4000",
            "Himmelev",
        ),
        # no road: the free text
        (
            {
                "vejnavn": None,
                "fritekst": "Postboks 12",
                "postnummer": 4000,
                "postdistrikt": "Roskilde",
            },
            "Postboks 12",
            "4000",
            "Roskilde",
        ),
        # no address at all
        ({}, "", "", ""),
    ],
)
def test_the_address_is_read_element_by_element(
    address: dict[str, Any], street: str, postal_code: str, city: str
) -> None:
    company = parse_answer("29990018", answer(address, name="  Strikkecaféen  "))
    assert company == CvrCompany("29990018", "Strikkecaféen", street, postal_code, city)


def test_no_hit_is_not_found() -> None:
    with pytest.raises(CvrNotFound):
        parse_answer("29990018", {"hits": {"total": 0, "hits": []}})


def _broken(path: str) -> Any:
    """A good answer with one element broken."""
    good = answer({"vejnavn": "Algade", "husnummerFra": 1, "postnummer": 4000})
    broken = copy.deepcopy(good)
    source = broken["hits"]["hits"][0]["_source"]["Vrvirksomhed"]
    if path == "hits":
        broken["hits"]["hits"] = {"0": "x"}
    elif path == "no_hits_key":
        broken = {"took": 1}
    elif path == "no_source":
        del broken["hits"]["hits"][0]["_source"]
    elif path == "other_company":
        source["cvrNummer"] = 29990026
    elif path == "no_metadata":
        del source["virksomhedMetadata"]
    elif path == "no_name":
        source["virksomhedMetadata"]["nyesteNavn"] = None
    elif path == "name_not_text":
        source["virksomhedMetadata"]["nyesteNavn"] = {"navn": ["A", "B"]}
    elif path == "address_not_object":
        source["virksomhedMetadata"]["nyesteBeliggenhedsadresse"] = "Algade 1"
    elif path == "road_not_text":
        source["virksomhedMetadata"]["nyesteBeliggenhedsadresse"]["vejnavn"] = {"x": 1}
    elif path == "list":
        broken = [good]
    return broken


@pytest.mark.parametrize(
    "path",
    [
        "hits",
        "no_hits_key",
        "no_source",
        "other_company",
        "no_metadata",
        "no_name",
        "name_not_text",
        "address_not_object",
        "road_not_text",
        "list",
    ],
)
def test_a_malformed_answer_is_unavailable_with_its_message(path: str) -> None:
    with pytest.raises(MalformedAnswer) as caught, override("en"):
        parse_answer("29990018", _broken(path))
    assert isinstance(caught.value, CvrUnavailable)
    with override("en"):
        assert "answer could not be read" in str(caught.value)


# --- the local fake (the embedded default) ---------------------------------------------------


def test_the_fake_answers_the_services_request_with_the_services_shape() -> None:
    result = cvr_fake.search(search_body("10000017"))
    assert result["hits"]["total"] == 1
    assert result["hits"]["hits"][0]["_source"]["Vrvirksomhed"]["cvrNummer"] == 10000017
    assert cvr_fake.search(search_body(MISSING))["hits"] == {
        "total": 0,
        "max_score": None,
        "hits": [],
    }
    with pytest.raises(cvr_fake.UnsupportedQuery):
        cvr_fake.search({"query": {"match_all": {}}})


def test_the_fake_holds_the_demo_associations_and_the_contracts_company(settings: Any) -> None:
    settings.PULJEFLOW_CVR_ADAPTER = "fake"
    assert lookup("12345678").name == "Frivilligcentret Eksempelby"
    # seed_demo's associations (workflows/management/commands/seed_demo.py)
    assert lookup("10000009").name == "Lektiecaféen Roskilde"
    assert lookup("10000017").name == "Besøgsvennerne Roskilde"
    assert lookup("10000025") == CvrCompany(
        "10000025", "Seniorklubben Roskilde", "Algade 3", "4000", "Roskilde"
    )


@pytest.mark.parametrize("cvr", [MISSING, "1234567", "abcdefgh", "١٢٣٤٥٦٧٨", ""])
def test_an_unknown_or_impossible_number_is_not_found(settings: Any, cvr: str) -> None:
    settings.PULJEFLOW_CVR_ADAPTER = "fake"
    with pytest.raises(CvrNotFound), override("en"):
        lookup(cvr)


# --- the HTTP adapter against a real HTTP service ----------------------------------------


@pytest.fixture
def service(settings: Any) -> Iterator[FakeCvrServer]:
    with running(user="kommune", password="hemmelig") as server:
        settings.PULJEFLOW_CVR_ADAPTER = "http"
        settings.PULJEFLOW_CVR_URL = server.url
        settings.PULJEFLOW_CVR_USER = "kommune"
        settings.PULJEFLOW_CVR_PASSWORD = "hemmelig"
        settings.PULJEFLOW_CVR_TIMEOUT = 2
        yield server


def test_the_http_adapter_finds_a_company(service: FakeCvrServer) -> None:
    company = lookup("29990026")
    assert company == CvrCompany(
        "29990026",
        "Fiktive Natteravne Trekroner (demo)",
        "Trekroner Allé 7, 2. tv",
        "4000",
        "Roskilde",
    )
    assert service.requests == [search_body("29990026")]


def test_the_http_adapter_reports_a_missing_company(service: FakeCvrServer) -> None:
    with pytest.raises(CvrNotFound), override("en"):
        lookup(MISSING)


def _message(error: pytest.ExceptionInfo[Exception]) -> str:
    with override("en"):
        return str(error.value)


@pytest.mark.parametrize(
    ("mode", "error", "message"),
    [
        ("error", CvrServiceError, "answered with an error"),
        ("garbage", MalformedAnswer, "answer could not be read"),
        ("wrong_shape", MalformedAnswer, "answer could not be read"),
        ("slow", CvrTimeout, "did not answer in time"),
    ],
)
def test_a_failing_service_is_unavailable_with_its_message(
    service: FakeCvrServer, settings: Any, mode: str, error: type, message: str
) -> None:
    service.mode = mode
    settings.PULJEFLOW_CVR_TIMEOUT = 0.3
    service.delay = 1.0
    with pytest.raises(error) as caught:
        lookup("29990026")
    assert isinstance(caught.value, CvrUnavailable)
    assert message in _message(caught)


def test_wrong_credentials_are_refused(service: FakeCvrServer, settings: Any) -> None:
    settings.PULJEFLOW_CVR_PASSWORD = "forkert"
    with pytest.raises(CvrRefused) as caught:
        lookup("29990026")
    assert "refused Puljeflow's access" in _message(caught)
    settings.PULJEFLOW_CVR_USER = ""  # no credentials at all: refused too
    with pytest.raises(CvrRefused):
        lookup("29990026")
    assert service.requests == []  # the fake answered nothing it refused


def test_a_service_that_is_not_there_is_unreachable(settings: Any) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.PULJEFLOW_CVR_ADAPTER = "http"
    settings.PULJEFLOW_CVR_URL = f"http://127.0.0.1:{port}/cvr-permanent/virksomhed/_search"
    with pytest.raises(CvrUnreachable) as caught:
        lookup("29990026")
    assert "cannot be reached" in _message(caught)

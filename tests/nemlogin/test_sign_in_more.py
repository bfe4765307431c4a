"""After the first sign-in: the same person again, a known association, the register failing,
the contact details, the AuthnRequest itself, the login page's button."""

from __future__ import annotations

import base64
import zlib
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from saml2 import samlp

from accounts.models import ExternalIdentity
from cases.models import Association, AssociationMember
from cases.registers import cvr as cvr_register
from cases.registers.cvr import CvrUnavailable
from tests.nemlogin.conftest import CVR_IN_FAKE, sign_in, start_login

pytestmark = pytest.mark.django_db

UNKNOWN_CVR = "29403473"  # a well-formed CVR number the fake register does not know


def test_the_same_persistent_id_finds_the_same_user_and_the_name_follows(
    client: Any, saml_idp: Any
) -> None:
    sign_in(client, saml_idp, subject="urn:uuid:same")
    first = ExternalIdentity.objects.get().user
    client.logout()
    sign_in(client, saml_idp, subject="urn:uuid:same", name="Karen Frivillig Hansen")
    identity = ExternalIdentity.objects.get()
    assert identity.user == first and identity.last_seen is not None
    first.refresh_from_db()
    assert first.last_name == "Hansen"
    assert client.session["_auth_user_id"] == str(first.pk)


def test_a_known_association_is_linked_and_the_person_lands_on_the_home(
    client: Any, saml_idp: Any, world: Any
) -> None:
    response = sign_in(client, saml_idp, cvr=world.a.cvr, subject="urn:uuid:known")
    assert response.status_code == 302 and response["Location"] == "/"
    user = ExternalIdentity.objects.get().user
    assert AssociationMember.objects.get(user=user).association == world.a
    assert Association.objects.count() == 2  # none created
    home = client.get("/")
    assert world.a.name in home.content.decode()


def test_a_cvr_the_register_does_not_know_gets_typed_in(client: Any, saml_idp: Any) -> None:
    response = sign_in(client, saml_idp, cvr=UNKNOWN_CVR)
    assert response["Location"] == "/nemlogin/association/"
    page = client.get("/nemlogin/association/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "CVR-registret har ingen virksomhed med dette nummer" in text
    assert UNKNOWN_CVR in text
    bad = client.post("/nemlogin/association/", {"name": "Foreningen", "postal_code": "47"})
    assert bad.status_code == 400 and "form-error-message" in bad.content.decode()
    done = client.post(
        "/nemlogin/association/",
        {
            "name": "Foreningen Hjælpende Hænder",
            "address": "Vestergade 2",
            "postal_code": "4700",
            "city": "Næstved",
            "contact_person": "Karen Frivillig",
            "email": "karen@example.org",
            "phone": "55 44 33 22",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/"
    association = Association.objects.get(cvr=UNKNOWN_CVR)  # the assertion's, not typed
    assert association.name == "Foreningen Hjælpende Hænder"
    assert association.members.get().can_represent


def test_a_failing_register_offers_typing_in_or_asking_again(
    client: Any, saml_idp: Any, monkeypatch: Any
) -> None:
    def down(cvr: str) -> Any:
        raise CvrUnavailable

    monkeypatch.setattr(cvr_register, "lookup", down)
    response = sign_in(client, saml_idp, cvr=CVR_IN_FAKE)
    assert response.status_code == 302 and response["Location"] == "/nemlogin/association/"
    assert "_auth_user_id" in client.session  # signed in; only the association waits
    page = client.get("/nemlogin/association/").content.decode()
    assert "CVR-registret svarer ikke lige nu" in page
    still_down = client.post("/nemlogin/association/", {"retry": "1"})
    assert still_down["Location"] == "/nemlogin/association/"
    monkeypatch.undo()
    back = client.post("/nemlogin/association/", {"retry": "1"})
    # Found now; the register has no phone number, so the contact details come next.
    assert back["Location"].startswith("/nemlogin/contact/")
    assert Association.objects.get(cvr=CVR_IN_FAKE).name == "Fiktiv Strikkecafé Himmelev (demo)"


def test_missing_contact_details_are_asked_for_before_the_home(
    client: Any, saml_idp: Any, world: Any
) -> None:
    world.b.phone = ""
    world.b.save()
    response = sign_in(client, saml_idp, cvr=world.b.cvr)
    assert response["Location"] == "/nemlogin/contact/?next=%2F"
    page = client.get(response["Location"])
    assert f"Kontaktoplysninger for {world.b.name}" in page.content.decode()
    bad = client.post("/nemlogin/contact/", {"contact_person": "K", "email": "x", "phone": "1"})
    assert bad.status_code == 400
    done = client.post(
        "/nemlogin/contact/",
        {"contact_person": "Karen", "email": "k@example.org", "phone": "55443322", "next": "/"},
    )
    assert done.status_code == 302 and done["Location"] == "/"
    world.b.refresh_from_db()
    assert world.b.phone == "55443322"


def test_the_authn_request_is_signed_with_rsa_sha256_and_asks_for_the_level(
    client: Any, saml_idp: Any, settings: Any
) -> None:
    settings.PULJEFLOW_NEMLOGIN_LOA = "High"
    query = {k: v[0] for k, v in parse_qs(urlsplit(start_login(client)).query).items()}
    assert query["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    assert query["Signature"]
    xml = zlib.decompress(base64.b64decode(query["SAMLRequest"]), -15).decode()
    request = samlp.authn_request_from_string(xml)
    assert request.name_id_policy.format.endswith("nameid-format:persistent")
    refs = [r.text for r in request.requested_authn_context.authn_context_class_ref]
    assert refs == ["https://data.gov.dk/concept/core/nsis/loa/High"]
    assert request.requested_authn_context.comparison == "minimum"
    # The IdP verified that signature against our metadata (it would refuse otherwise):
    saml_idp.authn_request(query)
    broken = dict(query, Signature=query["Signature"][:-8] + "AAAAAAA=")
    with pytest.raises(Exception):  # noqa: B017 - pysaml2's own signature error
        saml_idp.authn_request(broken)


def test_the_login_page_offers_mitid_erhverv_only_when_it_is_set_up(
    client: Any, saml_idp: Any, settings: Any
) -> None:
    page = client.get("/login/").content.decode()
    assert "Log ind med MitID Erhverv" in page
    settings.PULJEFLOW_NEMLOGIN_IDP_METADATA = ""
    assert "Log ind med MitID Erhverv" not in client.get("/login/").content.decode()
    assert client.get("/saml/login/").status_code == 404
    assert client.get("/saml/metadata/").status_code == 404

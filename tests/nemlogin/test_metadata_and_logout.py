"""The service provider's metadata, single logout both ways, and acting for one association."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

import pytest
from saml2 import class_name, md
from saml2.config import Config
from saml2.mdstore import MetadataStore
from saml2.sigver import SignatureError, security_context

from accounts.nemlogin import attributes
from accounts.nemlogin.config import sp_config
from tests.nemlogin.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_metadata_is_served_signed_and_has_what_oiosaml_asks_for(
    client: Any, saml_idp: Any
) -> None:
    response = client.get("/saml/metadata/")
    assert response.status_code == 200
    xml = response.content.decode()
    descriptor = md.entity_descriptor_from_string(xml)
    assert descriptor.entity_id == "http://testserver/saml/metadata/"
    assert descriptor.signature is not None  # signed (RSA-SHA256)
    assert "rsa-sha256" in descriptor.signature.signed_info.signature_method.algorithm
    sp = descriptor.spsso_descriptor[0]
    assert sp.authn_requests_signed == "true" and sp.want_assertions_signed == "true"
    assert {k.use for k in sp.key_descriptor} == {"signing", "encryption"}
    assert [f.text for f in sp.name_id_format] == [
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    ]
    assert sp.assertion_consumer_service[0].location == "http://testserver/saml/acs/"
    assert sp.single_logout_service[0].location == "http://testserver/saml/ls/"
    requested = {a.name for a in sp.attribute_consuming_service[0].requested_attribute}
    assert attributes.CVR in requested and attributes.LOA in requested
    assert attributes.CPR_NUMBER not in requested
    assert descriptor.contact_person[0].contact_type == "technical"
    # pysaml2 reads it as metadata, and xmlsec verifies its signature with our certificate.
    store = MetadataStore(attrc=Config().attribute_converters, config=Config())
    store.load("inline", xml)
    assert store.certs("http://testserver/saml/metadata/", "spsso", "signing")
    conf = sp_config()
    node = class_name(md.EntityDescriptor())
    assert security_context(conf).verify_signature(xml, conf.cert_file, node_name=node)
    tampered = xml.replace("http://testserver/saml/acs/", "http://evil.example/saml/acs/")
    with pytest.raises(SignatureError):
        security_context(conf).verify_signature(tampered, conf.cert_file, node_name=node)


def test_logging_out_goes_through_nemlogin_and_ends_the_session(
    client: Any, saml_idp: Any, world: Any
) -> None:
    sign_in(client, saml_idp, cvr=world.a.cvr)
    assert "_auth_user_id" in client.session
    assert client.get("/nemlogin/act-for/").status_code == 200
    start = client.post("/saml/logout/")
    assert start.status_code == 200
    url = html.unescape(
        start.content.decode().split('id="nemlogin-continue" href="')[1].split('"')[0]
    )
    assert url.startswith(saml_idp.base_url + "/slo")
    assert f'http-equiv="refresh" content="0;url={html.escape(url)}"' in start.content.decode()
    # The IdP verified our signed LogoutRequest and answers with a signed LogoutResponse.
    back = _follow_idp(url)
    assert saml_idp.last_logout_request is not None
    done = client.get(back)
    assert done.status_code == 302
    assert "_auth_user_id" not in client.session


def _follow_idp(url: str) -> str:
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url, timeout=10)
    except urllib.error.HTTPError as answer:
        location = answer.headers["Location"]
        parts = urlsplit(location)
        return f"{parts.path}?{parts.query}"
    raise AssertionError("the IdP did not redirect")


def test_the_idp_can_end_the_session_from_its_side(client: Any, saml_idp: Any, world: Any) -> None:
    sign_in(client, saml_idp, cvr=world.a.cvr)
    assert "_auth_user_id" in client.session
    parts = urlsplit(saml_idp.logout_request_url())
    assert parts.path == "/saml/ls/"
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 302
    assert response["Location"].startswith(saml_idp.base_url + "/slo")  # our LogoutResponse
    assert "_auth_user_id" not in client.session


def test_a_person_for_two_associations_acts_for_the_one_chosen(
    client: Any, saml_idp: Any, world: Any
) -> None:
    sign_in(client, saml_idp, cvr=world.a.cvr, subject="urn:uuid:two")
    client.logout()
    second = sign_in(client, saml_idp, cvr=world.b.cvr, subject="urn:uuid:two")
    # Two associations now: the choice comes first, with the one just vouched for chosen.
    assert second["Location"].startswith("/nemlogin/act-for/")
    page = client.get(second["Location"]).content.decode()
    assert world.a.name in page and world.b.name in page
    home = client.get("/").content.decode()
    assert f"For {world.b.name}" in home
    response = client.post("/nemlogin/act-for/", {"association": world.a.pk, "next": "/"})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert f"For {world.a.name}" in home
    # A choice outside the person's associations is refused beside the field.
    other = client.post("/nemlogin/act-for/", {"association": 999999})
    assert other.status_code == 400

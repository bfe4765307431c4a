"""A real SAML 2.0 identity provider for the tests: pysaml2's IdP side (``saml2.server.Server``)
behind a small HTTP server on 127.0.0.1, standing in for NemLog-in.

It verifies the service provider's signed AuthnRequest (HTTP-Redirect binding), shows a tiny
login form (CVR number, name, e-mail, level of assurance, persistent identifier), answers
with a signed Response carrying an OIOSAML 3.0 assertion (HTTP-POST binding), and takes part
in single logout both ways. Its key pair is generated at start into a directory the test
gives (never committed). Knobs a test turns to get each refusal: ``tamper`` (change the
signed assertion), ``audience`` (address it to another service, ``OTHER_SP``), ``omit``
(leave attributes out). An expired answer is made by running the IdP's clock an hour back
(time-machine, in the test).
"""

from __future__ import annotations

import html
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import saml2
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from accounts.nemlogin import attributes
from accounts.nemlogin.keys import make_key_pair

# Another service provider the IdP knows (a copy of ours under another entity id), so that
# an assertion can be addressed to it and still be delivered to our ACS.
OTHER_SP = "https://another-service.example/saml/metadata/"


@dataclass
class Knobs:
    tamper: bool = False
    audience: str | None = None
    omit: set[str] = field(default_factory=set)


@dataclass
class Login:
    cvr: str = "12345678"
    name: str = "Karen Frivillig"
    email: str = "karen@example.org"
    loa: str = "Substantial"
    subject: str = ""


class SamlIdp:
    def __init__(self, directory: Path, keys: tuple[Path, Path] | None = None) -> None:
        """``keys``: an existing (key, certificate) pair to reuse; else one is made."""
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.key_file, self.cert_file = keys or (directory / "idp.key", directory / "idp.crt")
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.idp = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.entity_id = f"{self.base_url}/metadata"
        if keys is None:
            make_key_pair(self.key_file, self.cert_file, self.entity_id)
        self.metadata_path = directory / "idp-metadata.xml"
        self.metadata_path.write_text(str(entity_descriptor(self._config(None))))
        self.server: Server | None = None
        self.knobs = Knobs()
        self.requests: dict[str, Any] = {}  # pending AuthnRequests by a form key
        self.last_authn_query: dict[str, str] = {}
        self.last_logout_request: Any = None
        self.sessions: list[tuple[NameID, str]] = []  # (name id, sp entity id) signed in
        self._thread: threading.Thread | None = None

    # --- set-up ------------------------------------------------------------------------

    def _config(self, sp_metadata: list[str] | None) -> IdPConfig:
        conf = IdPConfig()
        conf.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": get_xmlsec_binary(),
                "key_file": str(self.key_file),
                "cert_file": str(self.cert_file),
                "metadata": {"inline": sp_metadata} if sp_metadata else {},
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/sso", saml2.BINDING_HTTP_REDIRECT)
                            ],
                            "single_logout_service": [
                                (f"{self.base_url}/slo", saml2.BINDING_HTTP_REDIRECT)
                            ],
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "want_authn_requests_signed": True,
                        "sign_assertion": True,
                        "sign_response": True,
                        "signing_algorithm": SIG_RSA_SHA256,
                        "digest_algorithm": DIGEST_SHA256,
                        "policy": self._policy(),
                    }
                },
            }
        )
        return conf

    @staticmethod
    def _policy() -> dict[str, Any]:
        return {
            "default": {
                "lifetime": {"minutes": 5},
                "name_form": NAME_FORMAT_URI,
                "attribute_restrictions": None,
                "fail_on_missing_requested": False,
            }
        }

    def trust_sp(self, sp_metadata: str) -> None:
        """Load the service provider's metadata (as /saml/metadata/ serves it)."""
        entity = sp_metadata.split('entityID="', 1)[1].split('"', 1)[0]
        other = sp_metadata.replace(f'entityID="{entity}"', f'entityID="{OTHER_SP}"')
        self.server = Server(config=self._config([sp_metadata, other]))

    def start(self) -> SamlIdp:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the protocol ------------------------------------------------------------------

    def authn_request(self, query: dict[str, str]) -> str:
        """Verify the signed AuthnRequest (raises if the signature is wrong) and keep it."""
        assert self.server is not None, "trust_sp() first"
        self.last_authn_query = query
        request = self.server.parse_authn_request(
            query["SAMLRequest"],
            saml2.BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        key = uuid.uuid4().hex
        self.requests[key] = (request, query.get("RelayState", ""))
        return key

    def identity(self, login: Login) -> dict[str, list[str]]:
        values = {
            attributes.SPEC_VERSION: [attributes.SPEC_VERSION_VALUE],
            attributes.LOA: [login.loa],
            attributes.CVR: [login.cvr],
            attributes.ORGANISATION_NAME: [f"Testorganisation {login.cvr}"],
            attributes.PROFESSIONAL_UUID: [login.subject],
            attributes.FULL_NAME: [login.name],
            attributes.EMAIL: [login.email],
        }
        return {k: v for k, v in values.items() if k not in self.knobs.omit and v[0]}

    def respond(self, key: str, login: Login) -> tuple[str, dict[str, str]]:
        """The signed Response for a kept request: (ACS URL, form fields to POST there)."""
        assert self.server is not None
        request, relay_state = self.requests.pop(key)
        message = request.message
        sp_entity_id = message.issuer.text
        destination = message.assertion_consumer_service_url
        if not login.subject:
            login.subject = f"urn:uuid:{uuid.uuid4()}"
        name_id = NameID(format=NAMEID_FORMAT_PERSISTENT, text=login.subject)
        response = self.server.create_authn_response(
            self.identity(login),
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=self.knobs.audience or sp_entity_id,
            name_id=name_id,
            authn={"class_ref": f"{attributes.LOA_CONTEXT}{login.loa}"},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        xml = str(response)
        if self.knobs.tamper:
            xml = xml.replace(f">{login.cvr}<", ">87654321<")
        self.sessions.append((name_id, sp_entity_id))
        info = self.server.apply_binding(
            saml2.BINDING_HTTP_POST, xml, destination, relay_state, response=True
        )
        fields = dict(_hidden_fields(info["data"]))
        return destination, fields

    def logout_request_url(self) -> str:
        """IdP-initiated single logout of the last signed-in person: a signed LogoutRequest
        to the service provider's logout endpoint (HTTP-Redirect)."""
        assert self.server is not None
        name_id, sp_entity_id = self.sessions[-1]
        destination = self.server.metadata.single_logout_service(
            sp_entity_id, saml2.BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        _id, request = self.server.create_logout_request(
            destination, self.entity_id, name_id=name_id, sign=False
        )
        info = self.server.apply_binding(
            saml2.BINDING_HTTP_REDIRECT,
            str(request),
            destination,
            "",
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]

    def logout_response(self, query: dict[str, str]) -> str:
        """Answer the service provider's signed LogoutRequest; returns the redirect URL."""
        assert self.server is not None
        request = self.server.parse_logout_request(
            query["SAMLRequest"],
            saml2.BINDING_HTTP_REDIRECT,
            relay_state=query.get("RelayState"),
            sigalg=query.get("SigAlg"),
            signature=query.get("Signature"),
        )
        self.last_logout_request = request
        response = self.server.create_logout_response(
            request.message, [saml2.BINDING_HTTP_REDIRECT], sign=False
        )
        destination = self.server.metadata.single_logout_service(
            request.message.issuer.text, saml2.BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        info = self.server.apply_binding(
            saml2.BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            query.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return dict(info["headers"])["Location"]


def _hidden_fields(page: str) -> list[tuple[str, str]]:
    import re

    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(
            r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page
        )
    ]


_FORM = """<!DOCTYPE html><html lang="da"><head><meta charset="utf-8">
<title>Test-IdP (NemLog-in)</title></head><body><main>
<h1>Test-IdP: log ind som medarbejder</h1>
<form method="post" action="/sso/login">
<input type="hidden" name="key" value="{key}">
<p><label for="cvr">CVR-nummer</label> <input id="cvr" name="cvr" value="12345678"></p>
<p><label for="name">Navn</label> <input id="name" name="name" value="Karen Frivillig"></p>
<p><label for="email">E-mail</label> <input id="email" name="email" value="karen@example.org"></p>
<p><label for="loa">Sikringsniveau</label> <select id="loa" name="loa">
<option>Low</option><option selected>Substantial</option><option>High</option></select></p>
<p><label for="subject">Persistent id (tom: ny)</label> <input id="subject" name="subject" value=""></p>
<p><button type="submit" id="idp-login">Log ind</button></p>
</form></main></body></html>"""

_POST = """<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Videre</title></head>
<body onload="document.forms[0].submit()"><form method="post" action="{action}">{fields}
<noscript><button type="submit">Videre</button></noscript></form></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _send(self, status: int, body: str = "", location: str = "") -> None:
        data = body.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        idp: SamlIdp = self.server.idp
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        try:
            if parts.path == "/metadata":
                self._send(200, idp.metadata_path.read_text())
            elif parts.path == "/sso":
                self._send(200, _FORM.format(key=idp.authn_request(query)))
            elif parts.path == "/slo":
                self._send(302, location=idp.logout_response(query))
            else:
                self._send(404, "not found")
        except Exception as error:
            self._send(400, f"IdP refused: {html.escape(repr(error))}")

    def do_POST(self) -> None:
        idp: SamlIdp = self.server.idp
        length = int(self.headers.get("Content-Length", 0))
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        if urlsplit(self.path).path != "/sso/login" or form.get("key") not in idp.requests:
            self._send(400, "no such request")
            return
        login = Login(
            cvr=form.get("cvr", ""),
            name=form.get("name", ""),
            email=form.get("email", ""),
            loa=form.get("loa", "Substantial"),
            subject=form.get("subject", ""),
        )
        action, fields = idp.respond(form["key"], login)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in fields.items()
        )
        self._send(200, _POST.format(action=html.escape(action), fields=hidden))

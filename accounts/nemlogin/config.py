"""The service provider's pysaml2 configuration, built from settings (config/integrations.py).

djangosaml2 calls ``sp_config`` (``SAML_CONFIG_LOADER``) for every SAML view. Signed
AuthnRequests and LogoutRequests (RSA-SHA256), signed assertions wanted, persistent
NameID, the IdP's metadata from a file or a URL; the key pair from the settings, or one
generated under ``var/`` for the demo (accounts/nemlogin/keys.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import saml2
from django.conf import settings
from django.http import HttpRequest
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_PERSISTENT
from saml2.sigver import get_xmlsec_binary
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from . import attributes
from .keys import ensure_key_pair


def enabled() -> bool:
    return bool(settings.PULJEFLOW_NEMLOGIN_IDP_METADATA)


# Without PULJEFLOW_NEMLOGIN_BASE_URL, the address the request came to (a demo on any port).
FALLBACK_BASE_URL = "http://127.0.0.1:8000"


def base_url(request: HttpRequest | None = None) -> str:
    configured = str(settings.PULJEFLOW_NEMLOGIN_BASE_URL).rstrip("/")
    if configured:
        return configured
    return request.build_absolute_uri("/").rstrip("/") if request else FALLBACK_BASE_URL


def entity_id(request: HttpRequest | None = None) -> str:
    return str(settings.PULJEFLOW_NEMLOGIN_SP_ENTITY_ID or f"{base_url(request)}/saml/metadata/")


def key_pair() -> tuple[str, str]:
    key_file = Path(settings.PULJEFLOW_NEMLOGIN_KEY_FILE)
    cert_file = Path(settings.PULJEFLOW_NEMLOGIN_CERT_FILE)
    ensure_key_pair(key_file, cert_file, "Puljeflow NemLog-in SP")
    return str(key_file), str(cert_file)


def _idp_metadata() -> dict[str, Any]:
    source = str(settings.PULJEFLOW_NEMLOGIN_IDP_METADATA)
    if source.startswith(("https://", "http://")):
        return {"remote": [{"url": source}]}
    return {"local": [source]}


def config_dict(request: HttpRequest | None = None) -> dict[str, Any]:
    key_file, cert_file = key_pair()
    base = base_url(request)
    contact = settings.PULJEFLOW_NEMLOGIN_CONTACT_EMAIL
    return {
        "entityid": entity_id(request),
        "xmlsec_binary": get_xmlsec_binary(),
        "metadata": _idp_metadata(),
        "key_file": key_file,
        "cert_file": cert_file,
        # NemLog-in encrypts assertions to the service provider's encryption certificate.
        "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}],
        # Attribute names are the profile's URIs, kept as they come (attributes.py).
        "allow_unknown_attributes": True,
        "accepted_time_diff": settings.PULJEFLOW_NEMLOGIN_CLOCK_SKEW_SECONDS,
        "service": {
            "sp": {
                "name": settings.PULJEFLOW_NEMLOGIN_SERVICE_NAME,
                "endpoints": {
                    "assertion_consumer_service": [
                        (f"{base}/saml/acs/", saml2.BINDING_HTTP_POST),
                    ],
                    "single_logout_service": [
                        (f"{base}/saml/ls/", saml2.BINDING_HTTP_REDIRECT),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "name_id_policy_format": NAMEID_FORMAT_PERSISTENT,
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                # Only answers to our own requests: an unsolicited or replayed response is refused.
                "allow_unsolicited": False,
                "optional_attributes": attributes.REQUESTED,
            }
        },
        "organization": {
            "name": [(settings.PULJEFLOW_NEMLOGIN_SERVICE_NAME, "da")],
            "display_name": [(settings.PULJEFLOW_NEMLOGIN_SERVICE_NAME, "da")],
            "url": [(base, "da")],
        },
        "contact_person": [
            {
                "contact_type": "technical",
                "given_name": settings.PULJEFLOW_NEMLOGIN_SERVICE_NAME,
                "email_address": [contact] if contact else [],
            }
        ],
    }


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    conf = SPConfig()
    conf.load(config_dict(request))
    return conf

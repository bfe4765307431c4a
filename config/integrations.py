"""Settings for what Puljeflow is joined to (issue 18), read from the environment.

Imported at the end of ``config/settings.py``. With nothing set, every integration has an
embedded default that needs no outside service, so that ``make run`` works on a laptop:
the public pages are on, NemLog-in and the staff identity provider are off (passwords),
CVR lookups answer from a local fake, Digital Post messages and journal and finance
hand-overs are written to folders under ``var/``. The README lists every variable.
"""

from __future__ import annotations

import os

from config.env import BASE_DIR, VAR_DIR, env_bool  # noqa: F401

# --- Public pages (the open calls, the grants register, open data) ---------------------

# --- NemLog-in: MitID Erhverv for associations (SAML, OIOSAML 3.0) ----------------------

# --- The municipality's identity provider for staff (OpenID Connect) --------------------
# Off by default: the login page then shows only the password form. accounts/oidc/ reads
# these; mozilla-django-oidc reads the OIDC_* names. With only PULJEFLOW_OIDC_ISSUER set,
# the endpoints come from the provider's discovery document; an endpoint set here wins.
PULJEFLOW_OIDC_ENABLED = env_bool("PULJEFLOW_OIDC_ENABLED", False)
PULJEFLOW_OIDC_ISSUER = os.environ.get("PULJEFLOW_OIDC_ISSUER", "").rstrip("/")
PULJEFLOW_OIDC_DISCOVERY_URL = os.environ.get("PULJEFLOW_OIDC_DISCOVERY_URL", "")
PULJEFLOW_OIDC_END_SESSION_ENDPOINT = os.environ.get("PULJEFLOW_OIDC_END_SESSION_ENDPOINT", "")
# The claim that links a person to a Puljeflow user at the first sign-in, and the user's field
# it is compared with (email or username). An e-mail claim counts only when email_verified.
PULJEFLOW_OIDC_MATCH_CLAIM = os.environ.get("PULJEFLOW_OIDC_MATCH_CLAIM", "email")
PULJEFLOW_OIDC_MATCH_FIELD = os.environ.get("PULJEFLOW_OIDC_MATCH_FIELD", "email")
PULJEFLOW_OIDC_REQUIRE_VERIFIED_EMAIL = env_bool("PULJEFLOW_OIDC_REQUIRE_VERIFIED_EMAIL", True)
# The provider's own second factor replaces Puljeflow's code when the ID token's amr holds one
# of these values, or its acr is one of PULJEFLOW_OIDC_MFA_ACR (both comma-separated).
PULJEFLOW_OIDC_MFA_AMR = os.environ.get("PULJEFLOW_OIDC_MFA_AMR", "mfa")
PULJEFLOW_OIDC_MFA_ACR = os.environ.get("PULJEFLOW_OIDC_MFA_ACR", "")
PULJEFLOW_OIDC_LEEWAY_SECONDS = int(os.environ.get("PULJEFLOW_OIDC_LEEWAY_SECONDS", 60))
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("PULJEFLOW_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("PULJEFLOW_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("PULJEFLOW_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("PULJEFLOW_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_CLIENT_ID = os.environ.get("PULJEFLOW_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("PULJEFLOW_OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("PULJEFLOW_OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = os.environ.get("PULJEFLOW_OIDC_SIGN_ALGO", "RS256")
OIDC_TOKEN_USE_BASIC_AUTH = env_bool("PULJEFLOW_OIDC_TOKEN_BASIC_AUTH", True)
OIDC_TIMEOUT = int(os.environ.get("PULJEFLOW_OIDC_TIMEOUT_SECONDS", 10))
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = False  # roles are granted in Puljeflow: never a user made by signing in
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc:callback"


# --- CVR: the association's name and address from the register --------------------------

# --- Digital Post: letters to the association's CVR as MeMo messages --------------------

# --- Journal (ESDH) and finance: hand-overs ---------------------------------------------

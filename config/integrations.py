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
# Off unless the IdP's metadata is given (a file path or an https:// URL). README lists all.
PULJEFLOW_NEMLOGIN_IDP_METADATA = os.environ.get("PULJEFLOW_NEMLOGIN_IDP_METADATA", "")
# This site's address as NemLog-in reaches it: the ACS and logout URLs in our metadata
# (empty: the address each request came to, for a demo on any port).
PULJEFLOW_NEMLOGIN_BASE_URL = os.environ.get("PULJEFLOW_NEMLOGIN_BASE_URL", "").rstrip("/")
PULJEFLOW_NEMLOGIN_SP_ENTITY_ID = os.environ.get("PULJEFLOW_NEMLOGIN_SP_ENTITY_ID", "")
# The signing (and decryption) key pair, OCES3 for NemLog-in; generated under var/ if absent.
PULJEFLOW_NEMLOGIN_KEY_FILE = os.environ.get(
    "PULJEFLOW_NEMLOGIN_KEY_FILE", str(VAR_DIR / "nemlogin" / "sp.key")
)
PULJEFLOW_NEMLOGIN_CERT_FILE = os.environ.get(
    "PULJEFLOW_NEMLOGIN_CERT_FILE", str(VAR_DIR / "nemlogin" / "sp.crt")
)
PULJEFLOW_NEMLOGIN_LOA = os.environ.get("PULJEFLOW_NEMLOGIN_LOA", "Substantial")
PULJEFLOW_NEMLOGIN_SERVICE_NAME = os.environ.get("PULJEFLOW_NEMLOGIN_SERVICE_NAME", "Puljeflow")
PULJEFLOW_NEMLOGIN_CONTACT_EMAIL = os.environ.get("PULJEFLOW_NEMLOGIN_CONTACT_EMAIL", "")
PULJEFLOW_NEMLOGIN_CLOCK_SKEW_SECONDS = int(
    os.environ.get("PULJEFLOW_NEMLOGIN_CLOCK_SKEW_SECONDS", "60")
)
# djangosaml2: the pysaml2 configuration from the settings above; redirect binding to
# NemLog-in; its state (the requests sent and not yet answered) in a cookie of its own,
# which must travel on NemLog-in's cross-site POST to /saml/acs/: SameSite=None (HTTPS only)
# when the site is served over HTTPS, Lax on a plain-HTTP demo where the IdP is same-site.
SAML_CONFIG_LOADER = "accounts.nemlogin.config.sp_config"
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_SESSION_COOKIE_NAME = "puljeflow_saml"
SAML_SESSION_COOKIE_SAMESITE = (
    "None" if PULJEFLOW_NEMLOGIN_BASE_URL.startswith("https://") else "Lax"
)
SAML_CSP_HANDLER = ""  # no page of ours posts to NemLog-in (redirect binding only)
SAML_IGNORE_LOGOUT_ERRORS = True  # the local session ends even if NemLog-in's answer is odd

# --- The municipality's identity provider for staff (OpenID Connect) --------------------

# --- CVR: the association's name and address from the register --------------------------

# --- Digital Post: letters to the association's CVR as MeMo messages --------------------

# --- Journal (ESDH) and finance: hand-overs ---------------------------------------------

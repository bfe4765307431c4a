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
# How long a public page (a call, the register, its CSV/JSON/Atom) is kept in the cache, in
# seconds. A decision or a change to a round makes the cached copies stale at once (a
# version in the database, cases/services/publication.py); this bounds the rest (an
# association renamed, a countdown's day).
PULJEFLOW_PUBLIC_CACHE_SECONDS = int(os.environ.get("PULJEFLOW_PUBLIC_CACHE_SECONDS", "300"))

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

# Which register answers cases.registers.cvr.lookup: "fake" (a local data file, no network; the
# embedded default) or "http" (Erhvervsstyrelsen's CVR data service, System-til-system adgang).
PULJEFLOW_CVR_ADAPTER = os.environ.get("PULJEFLOW_CVR_ADAPTER", "fake").strip().lower()
PULJEFLOW_CVR_URL = os.environ.get(
    "PULJEFLOW_CVR_URL", "http://distribution.virk.dk/cvr-permanent/virksomhed/_search"
)
if PULJEFLOW_CVR_ADAPTER not in {"fake", "http"} or not PULJEFLOW_CVR_URL.startswith(
    ("http://", "https://")
):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "PULJEFLOW_CVR_ADAPTER must be 'fake' or 'http', and PULJEFLOW_CVR_URL an http(s):// address."
    )
PULJEFLOW_CVR_USER = os.environ.get("PULJEFLOW_CVR_USER", "")
PULJEFLOW_CVR_PASSWORD = os.environ.get("PULJEFLOW_CVR_PASSWORD", "")
PULJEFLOW_CVR_TIMEOUT = float(os.environ.get("PULJEFLOW_CVR_TIMEOUT", 5))

# --- Digital Post: letters to the association's CVR as MeMo messages --------------------

# folder: each MeMo message is written to <dir>/out/<MessageUUID>.xml (the embedded default);
# http: posted to the municipality's Digital Post access (URL and client certificate below);
# off: letters and legal notices go by e-mail in full, as before Digital Post.
DIGITAL_POST = os.environ.get("PULJEFLOW_DIGITAL_POST", "folder").strip().lower()
if DIGITAL_POST not in {"folder", "http", "off"}:
    raise ValueError(f"PULJEFLOW_DIGITAL_POST must be folder, http or off, not {DIGITAL_POST!r}")
DIGITAL_POST_DIR = os.environ.get("PULJEFLOW_DIGITAL_POST_DIR", str(VAR_DIR / "digital_post"))
# The sender's CVR when the municipality has none of its own in Puljeflow (Municipality.cvr).
DIGITAL_POST_SENDER_CVR = os.environ.get("PULJEFLOW_DIGITAL_POST_SENDER_CVR", "")
DIGITAL_POST_URL = os.environ.get("PULJEFLOW_DIGITAL_POST_URL", "")
DIGITAL_POST_CLIENT_CERT = os.environ.get("PULJEFLOW_DIGITAL_POST_CLIENT_CERT", "")
DIGITAL_POST_CLIENT_KEY = os.environ.get("PULJEFLOW_DIGITAL_POST_CLIENT_KEY", "")
DIGITAL_POST_CA_BUNDLE = os.environ.get("PULJEFLOW_DIGITAL_POST_CA_BUNDLE", "")
# Below the delivery task's soft time limit (NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT).
DIGITAL_POST_TIMEOUT_SECONDS = int(os.environ.get("PULJEFLOW_DIGITAL_POST_TIMEOUT", "15"))
# How often beat reads the folder's receipts (notifications/digital_post/receipts.py).
DIGITAL_POST_RECEIPT_SECONDS = float(os.environ.get("PULJEFLOW_DIGITAL_POST_RECEIPT_SECONDS", 60))
DIGITAL_POST_BEAT = (
    {
        "digital-post-receipts": {
            "task": "notifications.tasks.read_digital_post_receipts",
            "schedule": DIGITAL_POST_RECEIPT_SECONDS,
            "options": {"expires": DIGITAL_POST_RECEIPT_SECONDS},
        }
    }
    if DIGITAL_POST == "folder"
    else {}
)

# --- Journal (ESDH) and finance: hand-overs ---------------------------------------------
# PULJEFLOW_JOURNAL: "folder" (the embedded default: a folder per case with its documents
# and case.json, cases/handover/journal.py) or "off". No vendor adapter is built.
PULJEFLOW_JOURNAL = os.environ.get("PULJEFLOW_JOURNAL", "folder").strip().lower()
PULJEFLOW_JOURNAL_DIR = os.environ.get("PULJEFLOW_JOURNAL_DIR", str(VAR_DIR / "journal"))
# The KLE topic (KL Emnesystematik, the municipalities' journal plan) every case is filed
# under. KLE is KL's subscription product; the municipality sets its own number.
PULJEFLOW_JOURNAL_KLE = os.environ.get("PULJEFLOW_JOURNAL_KLE", "15.00.00")
# PULJEFLOW_FINANCE: "folder" (payment files to PULJEFLOW_FINANCE_DIR/<run id>.csv,
# cases/handover/finance.py) or "off" (no payment runs).
PULJEFLOW_FINANCE = os.environ.get("PULJEFLOW_FINANCE", "folder").strip().lower()
PULJEFLOW_FINANCE_DIR = os.environ.get("PULJEFLOW_FINANCE_DIR", str(VAR_DIR / "finance"))
# Beat's sweep of hand-overs that failed or whose task was lost (cases/handover/runner.py).
PULJEFLOW_HANDOVER_SWEEP_SECONDS = float(os.environ.get("PULJEFLOW_HANDOVER_SWEEP_SECONDS", 300))
PULJEFLOW_HANDOVER_MAX_ATTEMPTS = int(os.environ.get("PULJEFLOW_HANDOVER_MAX_ATTEMPTS", 12))
HANDOVER_BEAT_SCHEDULE = {
    "handover-sweep": {
        "task": "cases.handover.tasks.sweep",
        "schedule": PULJEFLOW_HANDOVER_SWEEP_SECONDS,
        "options": {"expires": PULJEFLOW_HANDOVER_SWEEP_SECONDS / 2},
    },
}

# --- issue 19: production topology and load test ----------------------------------------
# Django's file-based e-mail backend (EMAIL_BACKEND=django.core.mail.backends.filebased.
# EmailBackend) writes each connection's messages to a file in this folder; the load test
# (benchmarks/topology.py) counts them there against the outbox.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
# Django's SMTP backend (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend): the
# municipality's relay. The defaults are Django's own (localhost:25, no login, no TLS).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)  # STARTTLS, usually on port 587
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # implicit TLS, usually on port 465

# --- issue 20: voice ---
# The address Puljeflow is reached at (e.g. https://puljeflow.roskilde.dk), for the links in
# e-mails to the questionnaire and the yearly summary (notifications/feedback.py). Empty:
# the e-mail says where to find them in Puljeflow, without a link.
PULJEFLOW_SITE_URL = os.environ.get("PULJEFLOW_SITE_URL", "").rstrip("/")
# The questionnaire stays open this many days after the decision: the reminder sweep invites
# the association within them (notifications/reminders/rules/feedback.py), its home shows the
# task until then, and older cases are never invited (e.g. when the feature is switched on).
PULJEFLOW_FEEDBACK_OPEN_DAYS = int(os.environ.get("PULJEFLOW_FEEDBACK_OPEN_DAYS", 90))

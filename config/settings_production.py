"""Production settings: everything in config.settings, plus the HTTPS-only rules.

Run with DJANGO_SETTINGS_MODULE=config.settings_production. The secret key must come
from the environment; there is no fallback. ``make security`` runs
``manage.py check --deploy --fail-level WARNING`` with these settings.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool
from .logs import logging_settings
from .settings import *  # noqa: F403  (the one settings module, then the production rules)

DEBUG = False

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("puljeflow-local-development-key"):
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to 50 or more random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )

# The trail's HMAC keys and the checkpoints' signing key (PULJEFLOW_TRAIL_KEYS,
# PULJEFLOW_CHECKPOINT_SIGNING_KEY) belong in the environment from a secret store. Unset,
# they are derived from DJANGO_SECRET_KEY, which keeps a fresh deployment working but
# puts them wherever the secret key is: ``check --deploy`` reports it as an Info
# (puljeflow.I001/I002, cases/trail/checks.py) — docs/threat-model.md says why it matters.

# HTTPS only: redirect plain HTTP, tell browsers to use HTTPS for a year (and for every
# subdomain, eligible for the browsers' preload lists), cookies only over HTTPS.
SECURE_SSL_REDIRECT = env_bool("PULJEFLOW_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("PULJEFLOW_HSTS_SECONDS", 31_536_000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# Behind a TLS-terminating proxy that sets this header (and strips it from clients).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Logs: one JSON object per line on stderr for the log collector, each with its request id;
# every 500 with its traceback (config/logs.py). PULJEFLOW_LOG_FORMAT=text for people.
PULJEFLOW_LOG_FORMAT = os.environ.get("PULJEFLOW_LOG_FORMAT", "json")
LOGGING = logging_settings(
    fmt=PULJEFLOW_LOG_FORMAT, level=os.environ.get("PULJEFLOW_LOG_LEVEL", "INFO")
)

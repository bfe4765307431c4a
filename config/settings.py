"""Puljeflow settings: one module, driven by environment variables.

With nothing set you get the embedded defaults: SQLite under var/, Celery on
kombu's filesystem transport under var/broker, e-mail to the console.
DATABASE_URL switches to PostgreSQL; REDIS_URL to Redis for broker and cache.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

from celery.schedules import crontab
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from config.database import default_database
from config.env import BASE_DIR, VAR_DIR, env_bool
from config.logs import logging_settings

DEBUG = env_bool("DJANGO_DEBUG", False)
# The fallback key is only good for a laptop: production sets DJANGO_SECRET_KEY.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "puljeflow-local-development-key-not-for-prod")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "config.apps.StaticFiles",  # django.contrib.staticfiles, collecting less
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "accounts",
    "cases",
    "workflows",
    "notifications",
    "web",
    "benchmarks",
    "api",
]

MIDDLEWARE = [
    # First: every log line of the request, and its answer, carry the request's id.
    "config.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.oidc.middleware.ProviderLogoutFormAction",  # the provider's logout, when used
    # Outside everything that can refuse, so every 401/403/404/405 is logged.
    "accounts.refusals.RefusalLogMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",  # NemLog-in's own cookie (integrations.py)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.nemlogin.acting.ActingForMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates", *sorted(BASE_DIR.glob("web/*/templates"))],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.navigation",
                "web.notifications.context_processors.unread",
                "web.nemlogin.context_processors.nemlogin",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# SQLite (the default, or a sqlite:// DATABASE_URL): IMMEDIATE transactions, a busy
# timeout and WAL; PostgreSQL: a bounded connection pool (config/database.py says why).
DATABASES = {"default": default_database(os.environ, VAR_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions -----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth -------------------------------------------------------------------------------
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a locked-out username + address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "accounts.nemlogin.backend.NemLoginBackend",
    "accounts.oidc.backend.OIDCBackend",  # the municipality's identity provider, when on
]
# Lockout after repeated failed logins (django-axes), every setting explicit.
AXES_ENABLED = env_bool("PULJEFLOW_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("PULJEFLOW_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("PULJEFLOW_LOGIN_LOCKOUT_MINUTES", 15))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # per username from one address
AXES_RESET_ON_SUCCESS = True
AXES_LOCK_OUT_AT_FAILURE = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_CALLABLE = "web.accounts.views.lockout"
AXES_HTTP_RESPONSE_CODE = 429
AXES_NEVER_LOCKOUT_GET = True
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # our own log line on puljeflow.security says it once
# The client address (accounts.client_address, for the lockout, the API throttle and the
# security log): REMOTE_ADDR, unless the deployment sits behind this many reverse proxies
# that append to X-Forwarded-For. (PULJEFLOW_PROXY_COUNT is the variable's older name.)
PULJEFLOW_TRUSTED_PROXIES = int(
    os.environ.get("PULJEFLOW_TRUSTED_PROXIES") or os.environ.get("PULJEFLOW_PROXY_COUNT") or 0
)
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_ip"
# Two-factor login (django-otp TOTP); who needs it: accounts/two_factor.py.
OTP_TOTP_ISSUER = os.environ.get("PULJEFLOW_OTP_ISSUER", "Puljeflow")
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes a device waits 2^(n-1) seconds
# Session lifetime: idle and absolute limits, enforced by accounts.middleware.
PULJEFLOW_SESSION_IDLE_SECONDS = int(os.environ.get("PULJEFLOW_SESSION_IDLE_SECONDS", 30 * 60))
PULJEFLOW_SESSION_MAX_SECONDS = int(os.environ.get("PULJEFLOW_SESSION_MAX_SECONDS", 12 * 3600))
SESSION_COOKIE_AGE = PULJEFLOW_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if env_bool("PULJEFLOW_FAST_PASSWORDS"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
FORMAT_MODULE_PATH = ["config.formats"]  # "3. januar 2027 kl. 14.32" (USE_I18N: default)
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from npm (package.json + lock) and are collected from
# node_modules at build time; nothing is loaded from a CDN.
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [
    BASE_DIR / "static",
    ("dkfds", BASE_DIR / "node_modules" / "dkfds" / "dist"),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media-not-served/"
# collectstatic (make run, a deployment) writes every file under a content-hashed name
# with gzip and Brotli copies beside it; WhiteNoise serves those with far-future cache
# headers. Pages then link to the hashed names from the collected manifest
# (STATIC_ROOT/staticfiles.json), which must exist: a missing entry is an error, never a
# silently unhashed URL. (DJANGO_DEBUG=1: plain names, served from the finders.) The
# tests render without collecting, with the plain storage (tests/conftest.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Compressing is most of collectstatic's time. Source maps (over a third of the bytes, from
# the npm packages) are only fetched by a browser's developer tools: served, not compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
    "ttf",
    "otf",
    "eot",
)
# Pages link only the hashed names (a missing entry is an error), so the unhashed copies
# need not be kept, nor compressed a second time. Legacy font formats (browsers fetch
# woff2) are served, not compressed.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
# Uploads above this size are refused with a message next to the field.
PULJEFLOW_MAX_UPLOAD_BYTES = int(os.environ.get("PULJEFLOW_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
# Word/Excel/OpenDocument files are ZIPs: what they may unpack to (zip bombs are refused).
PULJEFLOW_MAX_UNZIPPED_BYTES = int(os.environ.get("PULJEFLOW_MAX_UNZIPPED_BYTES", 50 * 1024 * 1024))
PULJEFLOW_MAX_COMPRESSION_RATIO = int(os.environ.get("PULJEFLOW_MAX_COMPRESSION_RATIO", 100))
PULJEFLOW_MAX_UNZIPPED_MEMBERS = 2000
# What one application may hold: attachments (its own and its usage reports') in number
# and in total size. This also bounds the size of a case's export.
PULJEFLOW_MAX_ATTACHMENTS = int(os.environ.get("PULJEFLOW_MAX_ATTACHMENTS", 30))
PULJEFLOW_MAX_ATTACHMENT_BYTES = int(
    os.environ.get("PULJEFLOW_MAX_ATTACHMENT_BYTES", 100 * 1024 * 1024)
)
# Optional virus scanning by ClamAV's daemon: a unix socket path, or host:port. When set,
# every upload is scanned and refused if the daemon is unreachable (docs/security.md).
PULJEFLOW_CLAMAV_SOCKET = os.environ.get("PULJEFLOW_CLAMAV_SOCKET", "")
PULJEFLOW_CLAMAV_HOST = os.environ.get("PULJEFLOW_CLAMAV_HOST", "")
PULJEFLOW_CLAMAV_TIMEOUT = float(os.environ.get("PULJEFLOW_CLAMAV_TIMEOUT", 30))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- E-mail ------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "puljeflow@localhost")

# --- Celery ------------------------------------------------------------------------------
# Why each figure is what it is, and what follows from them ("a killed worker's
# message is back in the queue within 50 s"), is in docs/notifications.md.
BROKER_DIR = VAR_DIR / "broker"

# Every task's run is bounded, so that the visibility timeout can exceed the longest.
# Past the soft limit a task gets SoftTimeLimitExceeded (a delivery records a failed
# attempt and retries after backoff); 5 s later its pool process is killed (the row's
# lease covers that). The limits are set on the tasks in notifications/tasks.py.
NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT = int(
    os.environ.get("NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT", 20)
)  # one e-mail: EMAIL_TIMEOUT per socket operation, a whole SMTP conversation within 20 s
# The sweep starts no new row after this, so it ends within budget + one delivery.
NOTIFICATIONS_SWEEP_BUDGET_SECONDS = int(os.environ.get("NOTIFICATIONS_SWEEP_BUDGET_SECONDS", 10))
NOTIFICATIONS_HARD_LIMIT_MARGIN = 5
PULJEFLOW_LONGEST_TASK_SECONDS = (
    NOTIFICATIONS_SWEEP_BUDGET_SECONDS
    + NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT
    + NOTIFICATIONS_HARD_LIMIT_MARGIN
)  # the sweep's hard limit: 35 s

# Redis (kombu's transport) keeps each message it hands a worker in an "unacked" set
# until the worker acknowledges it (after the task: acks_late). A message older than
# visibility_timeout there belongs to a dead worker and is put back in the queue by
# the next restore scan of any live worker: one at its start, then every
# unacked_restore_interval × unacked_restore_throttle seconds. So a message of a
# SIGKILLed worker is back within visibility_timeout + that interval (45 + 5 = 50 s).
PULJEFLOW_REDIS_TRANSPORT_OPTIONS: dict[str, object] = {
    # Above the longest task (and the queue wait, which prefetch 1 + acks_late keep at
    # nothing): a live, slow task must not be handed to a second worker.
    "visibility_timeout": int(
        os.environ.get("PULJEFLOW_BROKER_VISIBILITY_TIMEOUT", PULJEFLOW_LONGEST_TASK_SECONDS + 10)
    ),
    "unacked_restore_interval": float(os.environ.get("PULJEFLOW_BROKER_RESTORE_INTERVAL", 5)),
    "unacked_restore_throttle": 1,  # scan on every interval, not every 10th
    # The scan's lock; held for milliseconds, but a worker killed while holding it
    # blocks the scans of every other worker until it expires.
    "unacked_mutex_expire": 10,
    # A request whose transition published a delivery must not hang on a Redis that
    # is down or unreachable: connecting and each command are bounded.
    "socket_connect_timeout": float(os.environ.get("PULJEFLOW_BROKER_CONNECT_TIMEOUT", 1)),
    "socket_timeout": float(os.environ.get("PULJEFLOW_BROKER_SOCKET_TIMEOUT", 1)),
}
# Publishing (deliver.delay after a commit, beat's ticks): one attempt, no retries.
# The outbox sweep is the retry, and redis-py already reconnects a stale pooled
# connection by itself. Measured: Redis down 2 ms (the first in a process 0.2 s);
# Redis frozen or unreachable: the socket timeout, 1 s.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": int(os.environ.get("PULJEFLOW_BROKER_PUBLISH_RETRIES", 0)),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_ACKS_LATE = True  # acknowledged after the task, so a killed worker's task returns
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed pool process: straight back in the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # hold no message a busy process cannot start
# On a lost broker connection let running tasks finish (their messages come back after
# the visibility timeout and find their rows done) rather than cancel them mid-send.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker outlives any Redis outage
# Seconds between a worker's attempts to reconnect to a broker that went away
# (Celery's own: 2, 4, 6, … up to 30); see config.celery.Consumer.
PULJEFLOW_BROKER_RECONNECT_INTERVAL = float(
    os.environ.get("PULJEFLOW_BROKER_RECONNECT_INTERVAL", 2)
)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = PULJEFLOW_REDIS_TRANSPORT_OPTIONS
    # Exactly one beat may send: a second one waits on a Redis lock (config/celery.py).
    CELERY_BEAT_SCHEDULER = "config.celery:SingleBeatScheduler"
    PULJEFLOW_BEAT_LOCK_SECONDS = float(os.environ.get("PULJEFLOW_BEAT_LOCK_SECONDS", 30))
    CELERY_WORKER_CONSUMER = "config.celery:Consumer"
else:
    # kombu's filesystem transport, with messages written whole (config/broker.py).
    CELERY_BROKER_URL = "puljeflow-filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Retention ---------------------------------------------------------------------------
# Years after a case is finished before contact data is anonymised and files removed (their
# hashes stay in the trail); run daily from beat; the privacy notice states these periods.
PULJEFLOW_RETENTION_YEARS = int(os.environ.get("PULJEFLOW_RETENTION_YEARS", 5))
# Unsubmitted drafts: deleted this many months after their last change; notice days before.
PULJEFLOW_DRAFT_RETENTION_MONTHS = int(os.environ.get("PULJEFLOW_DRAFT_RETENTION_MONTHS", 12))
PULJEFLOW_DRAFT_NOTICE_DAYS = int(os.environ.get("PULJEFLOW_DRAFT_NOTICE_DAYS", 31))
# A user account made inactive is anonymised (name, e-mail, username) this many months later.
PULJEFLOW_ACCOUNT_RETENTION_MONTHS = int(os.environ.get("PULJEFLOW_ACCOUNT_RETENTION_MONTHS", 12))
# The hour (Europe/Copenhagen) beat starts the day's retention run.
PULJEFLOW_RETENTION_HOUR = int(os.environ.get("PULJEFLOW_RETENTION_HOUR", 3))

# --- The trail's keys and checkpoints (cases/trail/keys.py, checkpoints.py) ----------------
# HMAC keys of the transition records' chain, "id:base64,id2:base64" (32+ random bytes
# each), and the id new records use (default: the last listed). Unset: a key derived
# from SECRET_KEY, id "dev-…" — for development and tests only (see docs/threat-model.md).
PULJEFLOW_TRAIL_KEYS = os.environ.get("PULJEFLOW_TRAIL_KEYS", "")
PULJEFLOW_TRAIL_KEY_ID = os.environ.get("PULJEFLOW_TRAIL_KEY_ID", "")
# Ed25519 key signing the checkpoints (base64 of the raw 32 bytes; unset: derived from
# SECRET_KEY, development only), earlier public keys still trusted after a rotation
# ("base64,base64"), where the checkpoints go (production: append-only storage) and how often.
PULJEFLOW_CHECKPOINT_SIGNING_KEY = os.environ.get("PULJEFLOW_CHECKPOINT_SIGNING_KEY", "")
PULJEFLOW_CHECKPOINT_PUBLIC_KEYS = os.environ.get("PULJEFLOW_CHECKPOINT_PUBLIC_KEYS", "")
# A checkpoint names one database's records: by default one directory per database.
PULJEFLOW_CHECKPOINT_DIR = os.environ.get(
    "PULJEFLOW_CHECKPOINT_DIR",
    str(VAR_DIR / "checkpoints" / Path(str(DATABASES["default"]["NAME"])).name),
)
PULJEFLOW_CHECKPOINT_SECONDS = float(os.environ.get("PULJEFLOW_CHECKPOINT_SECONDS", 3600))

# --- A round's complete export (cases/services/round_exports.py) ---------------------------
# Made by a worker; the file is deleted this many hours after it is ready (the row stays).
PULJEFLOW_EXPORT_KEEP_HOURS = float(os.environ.get("PULJEFLOW_EXPORT_KEEP_HOURS", 24))
# An export whose worker has given no sign of life (it writes one every few seconds) for
# this long lost its worker and is started again, at most PULJEFLOW_EXPORT_ATTEMPTS times.
PULJEFLOW_EXPORT_STALE_MINUTES = float(os.environ.get("PULJEFLOW_EXPORT_STALE_MINUTES", 10))
PULJEFLOW_EXPORT_ATTEMPTS = int(os.environ.get("PULJEFLOW_EXPORT_ATTEMPTS", 3))

# --- Notifications -----------------------------------------------------------------------
NOTIFICATIONS_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATIONS_MAX_ATTEMPTS", 8))
# A claimed row is taken over after this; above every task's hard limit (35 s), so a
# live sender is never taken over.
NOTIFICATIONS_LEASE_SECONDS = int(os.environ.get("NOTIFICATIONS_LEASE_SECONDS", 300))
NOTIFICATIONS_BACKOFF_CAP_MINUTES = 60
NOTIFICATIONS_SWEEP_BATCH = 200
# Per socket operation; below the delivery's soft time limit (20 s) and far below the lease.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", 10))
# Beat's sweep of due notifications; every periodic job sweeps what is due and not yet
# done, so a run beat drops (Redis down) is made up by the next.
NOTIFICATIONS_SWEEP_SECONDS = float(os.environ.get("NOTIFICATIONS_SWEEP_SECONDS", 60))
# Beat's reminder run (notifications/reminders/); each run is a sweep of what is due.
NOTIFICATIONS_REMIND_SECONDS = float(os.environ.get("NOTIFICATIONS_REMIND_SECONDS", 300))
CELERY_BEAT_SCHEDULE = {
    "notifications-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": NOTIFICATIONS_SWEEP_SECONDS,
        # A stopped worker must not come back to a pile of sweeps.
        "options": {
            "expires": max(NOTIFICATIONS_SWEEP_SECONDS - 5, NOTIFICATIONS_SWEEP_SECONDS / 2)
        },
    },
    # Reminders (notifications/reminders/): each rule is "due and not yet done", keyed
    # and unique in the database, so a dropped or repeated tick sends nothing twice.
    "notifications-remind": {
        "task": "notifications.tasks.remind",
        "schedule": NOTIFICATIONS_REMIND_SECONDS,
        "options": {
            "expires": NOTIFICATIONS_REMIND_SECONDS - min(20, NOTIFICATIONS_REMIND_SECONDS / 10)
        },
    },
    # A signed checkpoint of every case's chain head (cases/trail/checkpoints.py).
    "trail-checkpoint": {
        "task": "cases.tasks.write_checkpoint",
        "schedule": PULJEFLOW_CHECKPOINT_SECONDS,
        "options": {"expires": PULJEFLOW_CHECKPOINT_SECONDS / 2},
    },
    # Hearings past their deadline end; the case returns (workflows/hearing.py).
    "hearings-end-expired": {
        "task": "workflows.tasks.end_expired_hearings",
        "schedule": 900.0,
        "options": {"expires": 880},
    },
    # Decision letters are printed after commit; this prints any whose task was lost.
    "letters-print-missing": {
        "task": "cases.tasks.print_missing",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Round exports: what the after-commit task missed, lost workers, files past their day.
    "round-exports-sweep": {
        "task": "cases.tasks.sweep_round_exports",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Retention, once a day, the day claimed in the database (cases/services/retention_schedule.py).
    "retention": {
        "task": "cases.tasks.apply_retention",
        "schedule": crontab(hour=PULJEFLOW_RETENTION_HOUR, minute=15),
        "options": {"expires": 6 * 3600},
    },
}
# Reminders: days before a round's deadline to remind associations with a draft.
NOTIFICATIONS_DEADLINE_REMINDER_DAYS = [7, 1]
NOTIFICATIONS_INFO_REMINDER_DAYS = 7  # a request for information unanswered this long
NOTIFICATIONS_ASSESSMENT_REMINDER_DAYS = 3  # before a council meeting, assessments missing
NOTIFICATIONS_AGENDA_READY_DAYS = 7  # the committee's agenda goes out this long before
NOTIFICATIONS_REPORT_REMINDER_DAYS = 30  # before the usage report deadline; then weekly
NOTIFICATIONS_REPORT_ESCALATE_AFTER_WEEKS = 1  # overdue weeks before case officers hear; 0 never
NOTIFICATIONS_DIGEST_HOUR = 7  # the case officers' daily digest, from this hour (Copenhagen)
NOTIFICATIONS_REMINDER_BATCH = 1000  # reminders per transaction
NOTIFICATIONS_REMIND_BUDGET_SECONDS = 15  # a beat run starts no new batch after this
NOTIFICATIONS_HEARING_REMINDER_DAYS = 3  # before a hearing's deadline, if unanswered

# --- Security defaults -----------------------------------------------------------------
# The same here and in production; config/settings_production.py adds HTTPS-only rules.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles only from our own files, so
# an injected <script> or style="" does nothing. JS lives in static/js/, loaded with defer.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}

# Everything to stderr with the request id (config/logs.py), 500s with their traceback
# in development and production alike; "text" for people, "json" (one object per line,
# the production default) for a log collector.
LOGGING_CONFIG = "config.logs.configure"
PULJEFLOW_LOG_FORMAT = os.environ.get("PULJEFLOW_LOG_FORMAT", "text")
LOGGING = logging_settings(
    fmt=PULJEFLOW_LOG_FORMAT, level=os.environ.get("PULJEFLOW_LOG_LEVEL", "INFO")
)

# --- REST API (api/): Django REST framework and the OpenAPI schema ----------------------
from config.api_settings import *  # noqa: E402, F403

# --- Public pages, NemLog-in, staff OIDC, CVR, Digital Post, ESDH, finance (issue 18) ---
from config.integrations import *  # noqa: E402, F403

# Digital Post's receipts and the hand-overs' retry sweep (config/integrations.py).
CELERY_BEAT_SCHEDULE.update({**DIGITAL_POST_BEAT, **HANDOVER_BEAT_SCHEDULE})  # noqa: F405
